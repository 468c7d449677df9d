import type { RedisClient } from '../redis/connection.ts';
import { type GatewayKeys, gatewayKeys } from './keys.ts';

/** What RESUME needs, as @discordjs/ws' `SessionInfo` holds it. */
export interface StoredSession {
  sessionId: string;
  sequence: number;
  shardId: number;
  shardCount: number;
  resumeURL: string;
}

/**
 * Each shard's gateway session in Redis, so whichever copy holds the shard next can RESUME it (replaying the
 * events missed meanwhile) instead of spending an IDENTIFY. Kept for `ttlMs` after the last write: longer
 * than Discord keeps a session resumable does no harm (the RESUME is refused with op 9 and the shard identifies).
 */
export class SessionStore {
  readonly #redis: RedisClient;
  readonly #keys: GatewayKeys;
  readonly #ttlMs: number;

  constructor(redis: RedisClient, opts: { prefix: string; ttlMs?: number }) {
    this.#redis = redis;
    this.#keys = gatewayKeys(redis, opts.prefix);
    this.#ttlMs = opts.ttlMs ?? 15 * 60_000;
  }

  async get(shard: number): Promise<StoredSession | null> {
    const raw = await this.#redis.get(this.#keys.session(shard));
    if (!raw) return null;
    try {
      return JSON.parse(raw) as StoredSession;
    } catch {
      return null;
    }
  }

  async set(shard: number, session: StoredSession | null): Promise<void> {
    if (session) await this.#redis.set(this.#keys.session(shard), JSON.stringify(session), 'PX', this.#ttlMs);
    else await this.#redis.del(this.#keys.session(shard));
  }
}
