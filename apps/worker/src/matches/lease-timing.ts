/**
 * How long SQL leases (channel creation, overflow categories) and move claims last, and how they are
 * kept. A holder renews its lease while it works, so the bound is not how long the work may take
 * (a create waiting out Discord rate limits can take longer) but how long a holder that died keeps
 * others waiting. A waiter waits in-process a little longer than one lease, so a dead holder's lease
 * lapses while it waits instead of failing the job into BullMQ's backoff.
 */
export const LEASE = {
  ttlSeconds: 15,
  renewEveryMs: 5_000,
  waitMs: 20_000,
} as const;

/**
 * Renews a lease every `everyMs` until the returned stop function is called. A renewal that finds the
 * lease taken by someone else (we stalled past its bound) is reported once through `onLost`.
 */
export function keepAlive(
  renew: () => Promise<boolean>,
  everyMs: number,
  onLost: (err?: Error) => void,
): () => void {
  let reported = false;
  const timer = setInterval(() => {
    renew().then(
      (held) => {
        if (!held && !reported) {
          reported = true;
          onLost();
        }
      },
      (err: Error) => onLost(err),
    );
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
