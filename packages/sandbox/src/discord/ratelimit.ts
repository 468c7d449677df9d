/** Per-route buckets (route template + major parameter) and a global per-second limit, with Discord's headers. */
import { createHash } from 'node:crypto';
import { FixedWindows } from '../shared/fixed-window.ts';

export interface BucketConfig {
  limit: number;
  windowMs: number;
}

export interface RateLimitOptions {
  /** default bucket for every route; default 10 per 10 s per (route, major parameter) */
  perRoute?: BucketConfig;
  /** overrides by route, e.g. { 'POST /guilds/:guild/channels': { limit: 5, windowMs: 5000 } } */
  routes?: Record<string, BucketConfig>;
  /** global requests per second for the bot (interactions and webhooks exempt); default 50, 0 = off */
  global?: number;
}

/**
 * Routes whose real bucket is smaller than the default: messages in a channel, 5 per 5 s per channel
 * (the `X-RateLimit-Limit: 5` / `Reset-After: 5` discord.js reports for create and edit). `routes` overrides.
 */
export const DEFAULT_ROUTE_BUCKETS: Record<string, BucketConfig> = {
  'POST /channels/:channel/messages': { limit: 5, windowMs: 5000 },
  'PATCH /channels/:channel/messages/:message': { limit: 5, windowMs: 5000 },
};

export type RateDecision =
  | { ok: true; headers: Record<string, string> }
  | { ok: false; headers: Record<string, string>; retryAfter: number; global: boolean };

const secs = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

/** Discord's `Retry-After` header is whole seconds (rounded up); only the body's `retry_after` is a float. */
export const retryAfterHeader = (ms: number) => String(Math.max(0, Math.ceil(ms / 1000)));

/**
 * A 429 that is not the bucket running out: `X-RateLimit-Remaining` stays above 0 and `Retry-After` is long.
 * discord.js treats it as a sublimit: it sleeps the whole wait and queues the rest of the bucket behind it.
 */
export function sublimitHeaders(routeKey: string, retryAfterMs: number, now: number): Record<string, string> {
  return {
    'Retry-After': retryAfterHeader(retryAfterMs),
    'X-RateLimit-Limit': '5',
    'X-RateLimit-Remaining': '4',
    'X-RateLimit-Reset': secs(now + 1000),
    'X-RateLimit-Reset-After': '1.000',
    'X-RateLimit-Bucket': bucketHash(routeKey),
    'X-RateLimit-Scope': 'user',
  };
}

export function bucketHash(routeKey: string): string {
  return createHash('sha1').update(routeKey).digest('hex').slice(0, 16);
}

export class RateLimiter {
  readonly #enabled: boolean;
  readonly #perRoute: BucketConfig;
  readonly #routes: Record<string, BucketConfig>;
  readonly #global: number;
  readonly #buckets = new FixedWindows();
  #globalCount = 0;
  #globalResetAt = 0;

  constructor(opts: RateLimitOptions | false | undefined) {
    this.#enabled = opts !== false;
    const o = opts || {};
    this.#perRoute = o.perRoute ?? { limit: 10, windowMs: 10_000 };
    this.#routes = { ...DEFAULT_ROUTE_BUCKETS, ...o.routes };
    this.#global = o.global ?? 50;
  }

  take(routeKey: string, major: string, globalApplies: boolean, now = Date.now()): RateDecision {
    if (!this.#enabled) return { ok: true, headers: {} };
    if (globalApplies && this.#global > 0) {
      if (now >= this.#globalResetAt) {
        this.#globalCount = 0;
        this.#globalResetAt = now + 1000;
      }
      if (this.#globalCount >= this.#global) {
        const retryAfter = (this.#globalResetAt - now) / 1000;
        return {
          ok: false,
          retryAfter,
          global: true,
          headers: {
            'Retry-After': retryAfterHeader(this.#globalResetAt - now),
            'X-RateLimit-Global': 'true',
            'X-RateLimit-Scope': 'global',
          },
        };
      }
    }
    const cfg = this.#routes[routeKey] ?? this.#perRoute;
    const key = `${routeKey}:${major}`;
    const b = this.#buckets.take(key, cfg.limit, cfg.windowMs, now);
    const base = {
      'X-RateLimit-Limit': String(cfg.limit),
      'X-RateLimit-Reset': secs(b.resetAt),
      'X-RateLimit-Reset-After': secs(b.resetAt - now),
      'X-RateLimit-Bucket': bucketHash(routeKey),
    };
    if (!b.allowed) {
      return {
        ok: false,
        retryAfter: (b.resetAt - now) / 1000,
        global: false,
        headers: {
          ...base,
          'X-RateLimit-Remaining': '0',
          'Retry-After': retryAfterHeader(b.resetAt - now),
          'X-RateLimit-Scope': 'user',
        },
      };
    }
    if (globalApplies && this.#global > 0) this.#globalCount++;
    return { ok: true, headers: { ...base, 'X-RateLimit-Remaining': String(b.remaining) } };
  }
}
