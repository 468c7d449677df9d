import type { RedisClient } from './connection.ts';

// Deletes or extends the lock only while `owner` still holds it (a lapsed lock may be someone else's now).
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2])) end
return 0
`;

/**
 * A lock one copy holds for a while (`ttlMs`, renewed by its holder): for work that must run once per
 * deployment rather than once per copy. A holder that dies lets it lapse, and another copy takes over.
 */
export class RedisLock {
  readonly #redis: RedisClient;
  readonly #key: string;
  readonly #owner: string;
  readonly #ttlMs: number;

  constructor(redis: RedisClient, key: string, owner: string, ttlMs: number) {
    this.#redis = redis;
    this.#key = key;
    this.#owner = owner;
    this.#ttlMs = ttlMs;
  }

  /** Takes the lock if nobody holds it; true when this owner holds it now. */
  async take(): Promise<boolean> {
    return (await this.#redis.set(this.#key, this.#owner, 'PX', this.#ttlMs, 'NX')) === 'OK';
  }

  /** Extends the lock; false when it lapsed or another owner holds it. */
  async renew(): Promise<boolean> {
    return Number(await this.#redis.eval(RENEW, 1, this.#key, this.#owner, this.#ttlMs)) === 1;
  }

  async release(): Promise<void> {
    await this.#redis.eval(RELEASE, 1, this.#key, this.#owner);
  }
}
