import { randomBytes } from 'node:crypto';
import type { LimitWindow } from '../domain/command-limits.ts';
import type { RedisClient } from '../redis/connection.ts';
import { redisKey } from '../redis/keys.ts';

// One sorted set per (command, user): the times (Redis clock, ms) of the uses it let through, kept for
// the longest window. ARGV: a unique member, then window/max pairs. Answers 0 (let through, recorded) or
// how long until the first full window frees a place (nothing recorded: refused uses do not count).
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local longest = 0
for i = 2, #ARGV, 2 do
  local w = tonumber(ARGV[i])
  if w > longest then longest = w end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)
local retry = 0
for i = 2, #ARGV, 2 do
  local window = tonumber(ARGV[i])
  local max = tonumber(ARGV[i + 1])
  local used = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - window), '+inf', 'WITHSCORES')
  local count = #used / 2
  if count >= max then
    local frees = tonumber(used[(count - max) * 2 + 2]) + window - now
    if frees > retry then retry = frees end
  end
end
if retry > 0 then return retry end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], longest)
return 0
`;

/**
 * Per-user command limits shared by every worker copy (the copy that takes an interaction checks it):
 * one small sorted set per (command, user) under the `command-limits` key group, gone once its longest
 * window has passed. Timed by Redis's clock, so the copies' clocks need not agree.
 */
export class CommandLimits {
  readonly redis: RedisClient;
  readonly prefix: string;
  constructor(redis: RedisClient, prefix: string) {
    this.redis = redis;
    this.prefix = prefix;
  }

  /** Records a use when every window has room; otherwise how long until one has (ms), recording nothing. */
  async take(
    command: string,
    userId: string,
    windows: readonly LimitWindow[],
  ): Promise<{ ok: true } | { ok: false; retryMs: number }> {
    const key = redisKey(this.redis, this.prefix, 'command-limits', command, userId);
    const args = windows.flatMap((w) => [w.windowMs, w.max]);
    const member = randomBytes(9).toString('base64url');
    const retry = Number(await this.redis.eval(TAKE, 1, key, member, ...args));
    return retry > 0 ? { ok: false, retryMs: retry } : { ok: true };
  }
}
