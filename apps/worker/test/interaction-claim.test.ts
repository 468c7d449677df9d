import { cleanupPrefix, testPrefix } from '@bridge/testbed';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { claimInteraction, INTERACTION_CLAIM } from '../src/discord/interaction-claim.ts';

// The interaction claim against real Redis: one copy answers; a copy that dies before answering is
// replaced by another while Discord still takes an answer; an answered interaction is never taken.
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = testPrefix('iclaim');
const redis = new Redis(redisUrl);
afterAll(async () => {
  redis.disconnect();
  await cleanupPrefix(redisUrl, prefix);
});

const soon = () => Date.now() + 3000;

describe('interaction claim (a Redis lease)', () => {
  it('exactly one of several copies gets it; the others stand down once it is answered', async () => {
    const key = `${prefix}:interaction:1`;
    let answered = false;
    const results = await Promise.all(
      ['a', 'b', 'c'].map(async (holder) => {
        const claim = await claimInteraction(redis, key, holder, soon(), () => answered);
        if (claim) {
          answered = true;
          await claim.done();
        }
        return claim !== null;
      }),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await redis.get(key)).toBe('done');
  });

  it('a holder that died before answering is taken over once its lease lapses', async () => {
    const key = `${prefix}:interaction:2`;
    // The dead copy's claim: taken, never renewed, never answered.
    await redis.set(key, 'dead', 'PX', INTERACTION_CLAIM.leaseMs, 'NX');
    const started = Date.now();
    const claim = await claimInteraction(redis, key, 'alive', soon(), () => false);
    expect(claim).not.toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(INTERACTION_CLAIM.leaseMs - 100);
    await claim?.done();
  });

  it('a live holder keeps its claim past the lease by renewing it, and it is final once acknowledged', async () => {
    const key = `${prefix}:interaction:3`;
    let acked = false;
    const claim = await claimInteraction(redis, key, 'slow', soon(), () => acked);
    expect(claim).not.toBeNull();
    // The other copy waits through several lease lengths, then the holder answers: it stands down.
    setTimeout(() => {
      acked = true;
    }, INTERACTION_CLAIM.leaseMs * 2);
    const other = await claimInteraction(redis, key, 'other', Date.now() + 5000, () => false);
    expect(other).toBeNull();
    expect(await redis.get(key)).toBe('done');
    expect(await redis.ttl(key)).toBeGreaterThan(800);
    await claim?.done();
  });

  it('past the answer window nobody takes over', async () => {
    const key = `${prefix}:interaction:4`;
    await redis.set(key, 'dead', 'PX', 60_000);
    expect(await claimInteraction(redis, key, 'late', Date.now() + 300, () => false)).toBeNull();
  });
});
