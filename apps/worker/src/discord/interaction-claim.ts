import type { Redis } from 'ioredis';

/**
 * Which worker copy answers an interaction. Every copy holds a gateway session and receives it; the
 * claim is a short Redis lease, not a tombstone: its holder renews it until the interaction is
 * acknowledged (then it is final for 15 minutes), so a copy that dies between the claim and its
 * answer lets another copy take over once the lease lapses, while Discord still takes an answer.
 * (A copy that dies after deferring leaves the interaction "thinking": nothing else may answer it.)
 */
export const INTERACTION_CLAIM = { leaseMs: 1000, renewEveryMs: 300, pollMs: 100, doneSeconds: 900 };
const DONE = 'done';

// Renews the lease only while `holder` still has it.
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

export interface InteractionClaim {
  /** Marks the interaction answered: no other copy takes it over. */
  done(): Promise<void>;
}

/**
 * Resolves with a claim when this copy is to answer, or null when another copy answered (or holds
 * it) and the answer window (`deadline`, epoch ms) is over. `acked` tells when the interaction got
 * its first answer, from which point the claim is final.
 */
export async function claimInteraction(
  redis: Redis,
  key: string,
  holder: string,
  deadline: number,
  acked: () => boolean,
): Promise<InteractionClaim | null> {
  const { leaseMs, renewEveryMs, pollMs, doneSeconds } = INTERACTION_CLAIM;
  for (;;) {
    if ((await redis.set(key, holder, 'PX', leaseMs, 'NX')) === 'OK') break;
    // Held or answered: wait for the holder's answer, or for its lease to lapse (it died).
    if ((await redis.get(key)) === DONE || Date.now() > deadline) return null;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  let final = false;
  const finish = async () => {
    if (final) return;
    final = true;
    clearInterval(timer);
    await redis.set(key, DONE, 'EX', doneSeconds);
  };
  const timer = setInterval(() => {
    if (acked()) void finish().catch(() => {});
    else void redis.eval(RENEW, 1, key, holder, String(leaseMs)).catch(() => {});
  }, renewEveryMs);
  timer.unref();
  return { done: finish };
}
