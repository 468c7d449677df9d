// Fixed-window rate limiter with the FACEIT gateway's IETF-draft headers (`ratelimit-limit: 10, 10;w=1`).

export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
  /** Seconds to wait before retrying, for `Retry-After` (>= 1). */
  retryAfter: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
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
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count += 1;
    const msLeft = Math.max(0, w.start + this.windowMs - now);
    const seconds = Math.round(this.windowMs / 1000);
    return {
      allowed: w.count <= this.limit,
      headers: {
        'ratelimit-limit': `${this.limit}, ${this.limit};w=${seconds}`,
        'ratelimit-remaining': String(Math.max(0, this.limit - w.count)),
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
