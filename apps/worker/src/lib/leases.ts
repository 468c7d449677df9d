import { randomUUID } from 'node:crypto';
import { type Logger, type MatchStore, pause } from '@bridge/core';

/**
 * How long SQL leases (channel creation, overflow categories, cards) and move claims last, and how they
 * are kept. A holder renews its lease while it works, so the bound is not how long the work may take
 * (a create waiting out Discord rate limits can take longer) but how long a holder that died keeps
 * others waiting. A waiter waits in-process a little longer than one lease, so a dead holder's lease
 * lapses while it waits instead of failing the job into BullMQ's backoff.
 */
export const LEASE = {
  ttlSeconds: 15,
  renewEveryMs: 5_000,
  waitMs: 20_000,
} as const;

/** What holding a lease uses: the lease rows and somewhere to say that one was lost. */
export interface LeaseDeps {
  matches: Pick<MatchStore, 'takeLease' | 'releaseLease'>;
  log: Logger;
}

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

/**
 * Runs `fn` holding a SQL lease, renewed while `fn` runs (so it covers all of it, however long Discord
 * makes it wait). A lease held elsewhere is waited for in-process for a little longer than one lease
 * (a dead holder's lease lapses meanwhile), then it is a retryable error (BullMQ backs off).
 */
export async function withLease<T>(
  deps: LeaseDeps,
  key: string,
  holder: string,
  fn: () => Promise<T>,
): Promise<T> {
  const take = async () => ((await deps.matches.takeLease(key, holder, LEASE.ttlSeconds)) ? true : null);
  return withLeaseTaken(deps, key, holder, take, fn);
}

/**
 * withLease where the first take is `take` (null: held elsewhere), which may read what the holder needs
 * in the same round trip; `fn` gets its answer. Renewals use the plain lease.
 */
export async function withLeaseTaken<R, T>(
  deps: LeaseDeps,
  key: string,
  holder: string,
  take: () => Promise<R | null>,
  fn: (taken: R) => Promise<T>,
): Promise<T> {
  // Leases are held for a few round trips: wait a little in-process rather than failing the job into
  // BullMQ's exponential backoff (which turned a burst of matches into seconds of idle retries).
  const deadline = Date.now() + LEASE.waitMs;
  let taken = await take();
  for (let tries = 0; taken === null; tries++) {
    if (Date.now() > deadline) throw new Error(`lease ${key} is held by another worker; retrying later`);
    // Short at first (leases are usually held for a few round trips), then no busier than 2/s.
    await pause(Math.min(25 * 2 ** tries, 500) * (1 + Math.random()));
    taken = await take();
  }
  const stop = keepAlive(
    () => deps.matches.takeLease(key, holder, LEASE.ttlSeconds),
    LEASE.renewEveryMs,
    (err) => deps.log.error({ lease: key, holder, err: err?.message }, 'lease lost while holding it'),
  );
  try {
    return await fn(taken);
  } finally {
    stop();
    // Not awaited: the caller's next steps (moves) need not wait for the release round trip. A
    // concurrent taker that comes in before it lands retries later, as with any held lease.
    void deps.matches.releaseLease(key, holder).catch(() => {});
  }
}

/**
 * The lease of a guild's match category: held while an overflow category is chosen or made and given its
 * channel, and while empty ones are removed. `holder` defaults to one of its own (a removal holds nothing else).
 */
export function categoryLease(
  deps: LeaseDeps,
  /** none: channels go to the top level, no overflow category to guard */
  categoryId: string | undefined,
  holder = `category:${randomUUID().slice(0, 8)}`,
): <T>(fn: () => Promise<T>) => Promise<T> {
  return (fn) => (categoryId ? withLease(deps, `category-${categoryId}`, holder, fn) : fn());
}
