import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis/connection.ts';

// Reserves the next send slot: slots are `interval` ms apart, shared by every process through one
// Redis key, timed by Redis's own clock (so workers' clocks need not agree). Returns how long the
// caller must wait for its slot. The key lives until a second after the time it holds: a shorter life
// would forget a backlog of reserved slots, and the next caller would go at once, on top of them.
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local nextSlot = tonumber(redis.call('GET', KEYS[1]) or '0')
if nextSlot < now then nextSlot = now end
redis.call('SET', KEYS[1], nextSlot + interval, 'PX', nextSlot + interval - now + 1000)
return {nextSlot, nextSlot - now}
`;

// How far ahead the next free slot is (ms, on Redis's clock); 0 when the limit is idle. Reserves nothing.
const BACKLOG = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nextSlot = tonumber(redis.call('GET', KEYS[1]) or '0')
if nextSlot < now then return 0 end
return nextSlot - now
`;

// The interactive lane (commands and what they trigger). KEYS[1]: the schedule above; KEYS[2]: the
// waiting line, a sorted set scored by arrival (Redis clock, µs), each member `<deadline ms>:<id>`. A
// waiter takes a slot only when it is first in line AND the schedule is idle now: it never reserves ahead,
// so a match's request, which reserves the next slot whatever waits here, is delayed by at most the one
// interactive request in flight. Waiters whose deadline passed (gave up, or died) are dropped from the
// front. Answers {1, 0}: go now; {0, ms, member}: wait about that long (the schedule's backlog plus one
// interval per waiter ahead) and ask again; {-1, ms}: the wait would pass the deadline.
const INTERACTIVE_COMMON = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local arrival = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local function deadlineOf(member) return tonumber(string.match(member, '^(%d+):')) end
for _ = 1, 100 do
  local head = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
  if not head or deadlineOf(head) >= now then break end
  redis.call('ZREM', KEYS[2], head)
end
local nextSlot = tonumber(redis.call('GET', KEYS[1]) or '0')
local busy = nextSlot - now
if busy < 0 then busy = 0 end
local function take()
  redis.call('SET', KEYS[1], now + interval, 'PX', interval * 20 + 1000)
  return {1, 0}
end
`;

// ENTER (ARGV: interval, budget, id) joins the line unless the estimate is past the budget.
const INTERACTIVE_ENTER = `${INTERACTIVE_COMMON}
local budget = tonumber(ARGV[2])
local ahead = redis.call('ZCARD', KEYS[2])
if ahead == 0 and busy == 0 then return take() end
local estimate = busy + ahead * interval
if estimate > budget then return {-1, estimate} end
local member = (now + budget) .. ':' .. ARGV[3]
redis.call('ZADD', KEYS[2], arrival, member)
-- The line goes once its last waiter's deadline has passed (never shortened by a waiter with less budget).
if redis.call('PTTL', KEYS[2]) < budget + 1000 then redis.call('PEXPIRE', KEYS[2], budget + 1000) end
return {0, estimate, member}
`;

// TRY (ARGV: interval, member): the waiter asks again; it leaves the line once its wait would pass its deadline.
const INTERACTIVE_TRY = `${INTERACTIVE_COMMON}
local rank = redis.call('ZRANK', KEYS[2], ARGV[2])
if not rank then return {-1, 0} end
if rank == 0 and busy == 0 then
  redis.call('ZREM', KEYS[2], ARGV[2])
  return take()
end
local estimate = busy + rank * interval
if now + estimate > deadlineOf(ARGV[2]) then
  redis.call('ZREM', KEYS[2], ARGV[2])
  return {-1, estimate}
end
return {0, estimate}
`;

/** The interactive lane's wait would pass its budget: FACEIT's rate limit is taken by match jobs (or other commands). */
export class FaceitBusyError extends Error {
  readonly waitMs: number;
  constructor(waitMs: number) {
    super(`FACEIT's rate limit is busy: a request would wait ${Math.round(waitMs)} ms or more`);
    this.name = 'FaceitBusyError';
    this.waitMs = waitMs;
  }
}

/**
 * A limit shared by every worker process. FACEIT's limit is per API key, not per process, and its
 * window's alignment is unknown: spacing requests evenly (1000/perSecond ms apart, plus a small
 * margin) keeps every rolling second under the limit, where fixed windows let two bursts straddle a
 * boundary (measured: 23 429s in a 100-match burst).
 *
 * Two lanes share the schedule. `acquire()` (match jobs) reserves the next slot, first come first served
 * among themselves. `acquireInteractive()` (slash commands and what they trigger) waits in a line of its
 * own and takes only a slot no match request wants, so a burst of commands never pushes a match's
 * request back by more than one slot; it fails fast (FaceitBusyError) when its wait would pass a budget.
 * Hand-written: the rate-limit libraries we know (bottleneck, rate-limiter-flexible) either keep the
 * queue per process or have no priority across processes.
 */
export class RedisRateLimiter {
  readonly redis: RedisClient;
  readonly key: string;
  /** The interactive lane's waiting line; in the schedule's hash slot (keys.ts' `faceit-rate` group). */
  readonly interactiveKey: string;
  readonly intervalMs: number;
  constructor(redis: RedisClient, key: string, perSecond: number, interactiveKey = `${key}:interactive`) {
    this.redis = redis;
    this.key = key;
    this.interactiveKey = interactiveKey;
    this.intervalMs = Math.ceil(1000 / perSecond) + 2;
  }

  /** Reserves the next slot: its time on Redis's clock (ms) and how long until it comes. */
  async reserve(): Promise<{ slotMs: number; waitMs: number }> {
    const [slot, wait] = (await this.redis.eval(RESERVE, 1, this.key, this.intervalMs)) as [number, number];
    return { slotMs: Number(slot), waitMs: Number(wait) };
  }

  /**
   * How long `requests` more would wait behind what is already queued (ms): lets optional reads (ELO
   * for the match card) stay out of the way of the ones matches need.
   */
  async backlogMs(requests = 0): Promise<number> {
    const ahead = Number(await this.redis.eval(BACKLOG, 1, this.key));
    return ahead + requests * this.intervalMs;
  }

  /** Resolves when a request may be sent; returns how long it waited (ms). */
  async acquire(): Promise<number> {
    const { waitMs } = await this.reserve();
    if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
    return waitMs;
  }

  /**
   * Resolves when an interactive request may be sent (after every match request that asked meanwhile);
   * returns how long it waited (ms). Rejects with FaceitBusyError at once when the line and the schedule
   * ahead already pass `budgetMs`, or once its deadline passes while it waits.
   */
  async acquireInteractive(budgetMs: number): Promise<number> {
    const started = performance.now();
    const keys = [this.key, this.interactiveKey];
    const id = randomBytes(9).toString('base64url');
    const budget = Math.max(0, Math.floor(budgetMs));
    let answer = (await this.redis.eval(INTERACTIVE_ENTER, 2, ...keys, this.intervalMs, budget, id)) as [
      number,
      number,
      string?,
    ];
    const member = answer[2];
    while (Number(answer[0]) === 0 && member) {
      // Its estimate, at least a couple of ms so a waiter near the front does not spin on Redis.
      await new Promise((r) => setTimeout(r, Math.max(2, Number(answer[1]))));
      answer = (await this.redis.eval(INTERACTIVE_TRY, 2, ...keys, this.intervalMs, member)) as [
        number,
        number,
      ];
    }
    const waited = performance.now() - started;
    if (Number(answer[0]) !== 1) throw new FaceitBusyError(Math.max(Number(answer[1]), waited));
    return waited;
  }
}

export type RateLimiter = Pick<RedisRateLimiter, 'acquire'> &
  Partial<Pick<RedisRateLimiter, 'backlogMs' | 'acquireInteractive'>>;
