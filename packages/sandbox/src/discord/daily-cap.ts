/**
 * A per-guild cap on channel creations over a 24-hour window (reported, not documented: ~500 per guild per
 * day since 2022). The window opens with the first creation and resets 24 h of emulator clock later.
 */
export const DAY_MS = 24 * 60 * 60 * 1000;

export class DailyCap {
  readonly #limit: number;
  readonly #windows = new Map<string, { used: number; resetAt: number }>();

  /** limit 0 = no cap */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Milliseconds until the guild may create again, or 0 when it may now. */
  wait(guildId: string, now: number): number {
    if (this.#limit <= 0) return 0;
    const w = this.#windows.get(guildId);
    if (!w || now >= w.resetAt) return 0;
    return w.used >= this.#limit ? w.resetAt - now : 0;
  }

  /** Counts one creation. */
  count(guildId: string, now: number): void {
    if (this.#limit <= 0) return;
    let w = this.#windows.get(guildId);
    if (!w || now >= w.resetAt) {
      w = { used: 0, resetAt: now + DAY_MS };
      this.#windows.set(guildId, w);
    }
    w.used++;
  }
}
