/** Injected faults that each fire a number of times (default: until cleared); the first match wins. */
export class FaultList<F> {
  #entries: Array<{ fault: F; left: number }> = [];

  add(fault: F, times?: number): void {
    this.#entries.push({ fault, left: times ?? Number.POSITIVE_INFINITY });
  }

  /** The first fault `applies` accepts, consuming one of its times (it is dropped after its last). */
  take(applies: (fault: F) => boolean): F | undefined {
    const entry = this.#entries.find((e) => e.left > 0 && applies(e.fault));
    if (!entry) return undefined;
    entry.left -= 1;
    if (entry.left <= 0) this.#entries = this.#entries.filter((e) => e !== entry);
    return entry.fault;
  }

  /** Each pending fault with the times it has left (Infinity = until cleared). */
  pending(): Array<{ fault: F; left: number }> {
    return this.#entries.map((e) => ({ ...e }));
  }

  clear(): void {
    this.#entries = [];
  }
}
