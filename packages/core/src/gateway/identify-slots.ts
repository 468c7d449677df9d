import { pause } from '../pause.ts';
import type { RedisClient } from '../redis/connection.ts';
import { type GatewayKeys, gatewayKeys } from './keys.ts';

/** Discord: `max_concurrency` IDENTIFYs per 5 s, one per bucket `shard_id % max_concurrency`. */
export const IDENTIFY_WINDOW_MS = 5000;

// Takes the bucket's slot if free (for `ARGV[1]` ms); otherwise answers how long until it frees (ms).
const TAKE = `
if redis.call('SET', KEYS[1], '1', 'PX', tonumber(ARGV[1]), 'NX') then return 0 end
local left = redis.call('PTTL', KEYS[1])
if left < 1 then return 1 end
return left
`;

/**
 * The identify rate limit shared by every copy: one IDENTIFY per bucket per window, whichever copy sends it.
 * A margin over Discord's 5 s absorbs the time between taking the slot and the IDENTIFY reaching Discord.
 */
export class IdentifySlots {
  readonly #redis: RedisClient;
  readonly #keys: GatewayKeys;
  readonly #windowMs: number;

  constructor(redis: RedisClient, opts: { prefix: string; marginMs?: number }) {
    this.#redis = redis;
    this.#keys = gatewayKeys(redis, opts.prefix);
    this.#windowMs = IDENTIFY_WINDOW_MS + (opts.marginMs ?? 500);
  }

  /** Resolves once this copy holds `bucket`'s slot; rejects when `signal` aborts. */
  async acquire(bucket: number, signal: AbortSignal): Promise<void> {
    for (;;) {
      signal.throwIfAborted();
      const wait = Number(await this.#redis.eval(TAKE, 1, this.#keys.identifySlot(bucket), this.#windowMs));
      if (wait === 0) return;
      await pause(wait + Math.floor(Math.random() * 50), signal);
    }
  }
}
