import { redisTest } from '@bridge/testbed/fixtures';
import { describe, expect } from 'vitest';
import { IdentifySlots, SessionStore, ShardLeases } from '../src/index.ts';

describe('shard leases in Redis', () => {
  redisTest(
    'one holder per shard; renewals keep it, a lapsed lease is free again',
    async ({ prefix, connect }) => {
      const redis = connect();
      const a = new ShardLeases(redis, { prefix, copyId: 'a', leaseMs: 60_000 });
      const b = new ShardLeases(connect(), { prefix, copyId: 'b', leaseMs: 400 });
      expect(await a.take(0)).toBe(true);
      expect(await b.take(0)).toBe(false);
      expect(await b.take(1)).toBe(true);
      expect(await a.holders(3)).toEqual(['a', 'b', null]);
      expect(await a.renew([0, 1])).toEqual([1]);
      // b stops renewing: its lease lapses and a can take the shard.
      await expect.poll(async () => (await a.holders(2))[1], { timeout: 10_000 }).toBeNull();
      expect(await a.take(1)).toBe(true);
      // Releasing someone else's lease does nothing; one's own frees it at once.
      await b.release(0);
      expect((await a.holders(1))[0]).toBe('a');
      await a.release(0);
      expect((await b.holders(1))[0]).toBeNull();
    },
  );

  redisTest(
    'heartbeats list the live copies; a copy that leaves or stops beating drops out',
    async ({ prefix, connect }) => {
      const a = new ShardLeases(connect(), { prefix, copyId: 'a', leaseMs: 400 });
      const b = new ShardLeases(connect(), { prefix, copyId: 'b', leaseMs: 60_000 });
      const c = new ShardLeases(connect(), { prefix, copyId: 'c', leaseMs: 60_000 });
      await a.heartbeat();
      await b.heartbeat();
      expect((await c.heartbeat()).sort()).toEqual(['a', 'b', 'c']);
      await b.leave();
      await expect.poll(async () => (await c.heartbeat()).sort(), { timeout: 10_000 }).toEqual(['c']);
    },
  );

  redisTest(
    'the identify slot of a bucket is held 5 s across copies; other buckets are free',
    async ({ prefix, connect }) => {
      const one = new IdentifySlots(connect(), { prefix });
      const two = new IdentifySlots(connect(), { prefix });
      const signal = new AbortController().signal;
      await one.acquire(0, signal);
      await two.acquire(1, signal);
      const late = new AbortController();
      const waiting = two.acquire(0, late.signal);
      late.abort(new Error('gave up'));
      await expect(waiting).rejects.toThrow('gave up');
    },
  );

  redisTest(
    'session info survives the copy: another copy reads what the last holder wrote',
    async ({ prefix, connect }) => {
      const mine = new SessionStore(connect(), { prefix });
      const theirs = new SessionStore(connect(), { prefix });
      const info = { sessionId: 's1', sequence: 42, shardId: 2, shardCount: 4, resumeURL: 'ws://x' };
      await mine.set(2, info);
      expect(await theirs.get(2)).toEqual(info);
      await theirs.set(2, null);
      expect(await mine.get(2)).toBeNull();
    },
  );
});
