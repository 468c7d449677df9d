/**
 * Things asked for ahead of the step that needs them (to take their round trips off the critical path),
 * each handed over once: whoever `take`s a value owns it from then on, and what nobody took goes back
 * to the owner of the whole through `takeRest` (which gives it back: a lease released, a claim returned).
 */
export class Prefetched<K, V> {
  readonly #left = new Map<K, V>();

  put(key: K, value: V): void {
    this.#left.set(key, value);
  }

  /** The value asked for ahead under `key`, the first time only. */
  take(key: K): V | undefined {
    const value = this.#left.get(key);
    this.#left.delete(key);
    return value;
  }

  /** What nobody took (then nothing is left to take). */
  takeRest(): [K, V][] {
    const rest = [...this.#left];
    this.#left.clear();
    return rest;
  }
}
