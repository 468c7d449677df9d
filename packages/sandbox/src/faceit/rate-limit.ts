// Fixed-window rate limiter with the FACEIT gateway's IETF-draft headers (`ratelimit-limit: 10, 10;w=1`).
import { FixedWindows } from '../shared/fixed-window.ts';

export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
  /** Seconds to wait before retrying, for `Retry-After` (>= 1). */
  retryAfter: number;
}

export class RateLimiter {
  private readonly windows = new FixedWindows();
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(limit: number, windowMs = 1000, now: () => number = Date.now) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.now = now;
  }

  hit(key: string): RateDecision {
    const now = this.now();
    const w = this.windows.take(key, this.limit, this.windowMs, now);
    const msLeft = Math.max(0, w.resetAt - now);
    const seconds = Math.round(this.windowMs / 1000);
    return {
      allowed: w.allowed,
      headers: {
        'ratelimit-limit': `${this.limit}, ${this.limit};w=${seconds}`,
        'ratelimit-remaining': String(w.remaining),
        'ratelimit-reset': String(Math.floor(msLeft / 1000)),
        'x-faceit-ratelimit-name': 'gateway-open-faceit-ratelimit',
      },
      retryAfter: Math.max(1, Math.ceil(msLeft / 1000)),
    };
  }

  reset(): void {
    this.windows.clear();
  }
}
