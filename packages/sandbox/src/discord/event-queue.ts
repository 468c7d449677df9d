/**
 * Ordered delivery of gateway events, some of them late. Discord answers a REST call before its guild
 * process has dispatched the matching event ("CHANNEL_CREATE indicates that the guild process has
 * processed the new channel, whereas the API may respond earlier", discord-api-docs#6573). Events about
 * one subject (a channel) keep their order: one emitted after a delayed one waits behind it. Events
 * without a subject, or about another one, are not held back (the stricter reading: a copy may hear of
 * a member joining voice before it hears of the channel created just before).
 */
export class GuildEventQueue<E> {
  readonly #deliver: (e: E) => void;
  readonly #queues = new Map<string, Array<{ e: E; due: number }>>();
  readonly #timers = new Map<string, NodeJS.Timeout>();

  constructor(deliver: (e: E) => void) {
    this.#deliver = deliver;
  }

  push(subject: string | null, e: E, delayMs: number): void {
    const q = subject === null ? undefined : this.#queues.get(subject);
    if (subject === null || (!q && delayMs <= 0)) {
      this.#deliver(e);
      return;
    }
    const entry = { e, due: Date.now() + Math.max(0, delayMs) };
    if (q) q.push(entry);
    else this.#queues.set(subject, [entry]);
    this.#flush(subject);
  }

  /** Drops everything still queued (the emulator is closing). */
  clear(): void {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    this.#queues.clear();
  }

  #flush(subject: string): void {
    const q = this.#queues.get(subject);
    if (!q) return;
    const now = Date.now();
    while (q.length > 0 && (q[0]?.due ?? 0) <= now) this.#deliver((q.shift() as { e: E }).e);
    if (q.length === 0) {
      this.#queues.delete(subject);
      return;
    }
    if (this.#timers.has(subject)) return;
    const timer = setTimeout(
      () => {
        this.#timers.delete(subject);
        this.#flush(subject);
      },
      Math.max(0, (q[0]?.due ?? now) - now),
    );
    // A pending dispatch must not keep a test process alive.
    timer.unref();
    this.#timers.set(subject, timer);
  }
}
