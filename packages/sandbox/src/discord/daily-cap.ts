/**
 * A per-guild cap on channel creations over a 24-hour window: the window opens with the first creation and
 * resets 24 h of emulator clock later. Discord does not document one; two figures are reported.
 */

/**
 * Reported daily caps on channel creations, neither in Discord's docs:
 * - `perServer`: 2,000 per server per 24 h, shared by every bot there (TempVoice's troubleshooting docs,
 *   2026-01-27: "Most Discord servers have a limit of 2,000 channel creations per 24 hours, which applies to all
 *   bots"), the newest public figure;
 * - `perBot`: 500 per bot per server per day (a 2022 Discord notice quoted by a blog, and user reports).
 * The emulator's default is `perBot`: the newer figure does not rule out the older per-bot one (both can hold at
 * once), and where public material does not settle a limit the emulator takes the stricter plausible one.
 */
export const REPORTED_DAILY_CREATES = { perServer: 2000, perBot: 500 } as const;

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
