/** Fixed-window request counters by key: `limit` requests per `windowMs`, the window opening at the first one. */

export interface WindowDecision {
  allowed: boolean;
  /** requests left in this window after this one */
  remaining: number;
  /** epoch ms when the window resets */
  resetAt: number;
}

export class FixedWindows {
  readonly #windows = new Map<string, { remaining: number; resetAt: number }>();

  take(key: string, limit: number, windowMs: number, now: number): WindowDecision {
    let w = this.#windows.get(key);
    if (!w || now >= w.resetAt) {
      w = { remaining: limit, resetAt: now + windowMs };
      this.#windows.set(key, w);
    }
    if (w.remaining <= 0) return { allowed: false, remaining: 0, resetAt: w.resetAt };
    w.remaining -= 1;
    return { allowed: true, remaining: w.remaining, resetAt: w.resetAt };
  }

  clear(): void {
    this.#windows.clear();
  }
}
