import { waitFor } from '@bridge/testbed';
import { redisTest } from '@bridge/testbed/fixtures';
import { describe, expect } from 'vitest';
import { FaceitBusyError, RedisRateLimiter } from '../src/index.ts';

describe('RedisRateLimiter', () => {
  redisTest(
    'keeps three processes together under 10 requests in every rolling second',
    async ({ prefix, connect }) => {
      const conns = [connect(), connect(), connect()];
      const limiters = conns.map((c) => new RedisRateLimiter(c, `${prefix}:faceit`, 10));
      // Each "process" asks for 8 slots at once: 24 in all, as a burst of jobs would. The slots are
      // read on Redis's clock, so the check does not depend on timers firing on time here.
      const sent = (
        await Promise.all(limiters.flatMap((l) => Array.from({ length: 8 }, () => l.reserve())))
      ).map((r) => r.slotMs);
      sent.sort((a, b) => a - b);
      expect(sent).toHaveLength(24);
      for (const start of sent) {
        const inWindow = sent.filter((t) => t >= start && t < start + 1000).length;
        expect(inWindow).toBeLessThanOrEqual(10);
      }
    },
  );

  redisTest(
    'acquire() holds each caller until its slot: the k-th of a burst is released k intervals after it began',
    async ({ prefix, connect }) => {
      const conns = [connect(), connect(), connect()];
      const limiters = conns.map((c) => new RedisRateLimiter(c, `${prefix}:acquire`, 10));
      const interval = limiters[0]!.intervalMs;
      // On an idle key the first request goes at once.
      expect(await new RedisRateLimiter(conns[0]!, `${prefix}:idle`, 10).acquire()).toBe(0);
      const start = performance.now();
      const released = await Promise.all(
        limiters.flatMap((l) =>
          Array.from({ length: 6 }, async () => {
            const waited = await l.acquire();
            const at = performance.now() - start;
            // It waited at least as long as it says (timers fire late, never early; 1 ms of rounding).
            expect(at).toBeGreaterThanOrEqual(waited - 1);
            return at;
          }),
        ),
      );
      released.sort((a, b) => a - b);
      // Slot k is k intervals after the first, which is no earlier than `start`. Timers may fire late (a
      // loaded machine), never early: this lower bound per request is what acquire() promises. 2 ms of
      // slack for Redis's whole-millisecond clock.
      released.forEach((at, k) => {
        expect(at, `request ${k}`).toBeGreaterThanOrEqual(k * interval - 2);
      });
    },
  );

  redisTest(
    'interactive lane: a match request asked while commands wait in line goes within one slot, not behind them',
    async ({ prefix, connect }) => {
      const [a, b] = [connect(), connect()];
      const commands = new RedisRateLimiter(a, `${prefix}:lanes`, 10);
      const matches = new RedisRateLimiter(b, `${prefix}:lanes`, 10);
      // Twelve commands at once: about 1.2 s of requests, all within their 5 s budget.
      const served = Array.from({ length: 12 }, () => commands.acquireInteractive(5000));
      await waitFor(async () => (await a.zcard(commands.interactiveKey)) >= 10, { what: 'commands in line' });
      // The match reserves the next slot on Redis's clock: at most the one command in flight is ahead of it.
      const { waitMs } = await matches.reserve();
      expect(waitMs).toBeLessThanOrEqual(matches.intervalMs);
      expect(await a.zcard(commands.interactiveKey)).toBeGreaterThan(0);
      // Every command is still served, none refused.
      expect(await Promise.all(served)).toHaveLength(12);
      expect(await a.exists(commands.interactiveKey)).toBe(0);
    },
  );

  redisTest(
    'interactive lane: its requests keep the rate, one per slot, and wait behind match requests already reserved',
    async ({ prefix, connect }) => {
      const limiter = new RedisRateLimiter(connect(), `${prefix}:spacing`, 10);
      const interval = limiter.intervalMs;
      // Three match requests reserved first: the commands come after them.
      for (let i = 0; i < 3; i++) await limiter.reserve();
      const start = performance.now();
      const released = await Promise.all(
        Array.from({ length: 5 }, async () => {
          await limiter.acquireInteractive(5000);
          return performance.now() - start;
        }),
      );
      released.sort((x, y) => x - y);
      // Timers fire late, never early: lower bounds only (2 ms for Redis's whole-millisecond clock).
      released.forEach((at, k) => {
        expect(at, `command ${k}`).toBeGreaterThanOrEqual((k + 2) * interval - 2);
      });
    },
  );

  redisTest('interactive lane: first come, first served across processes', async ({ prefix, connect }) => {
    const [a, b] = [connect(), connect()];
    const limiters = [a, b].map((c) => new RedisRateLimiter(c, `${prefix}:fifo`, 10));
    // A match request holds the next slot, so every command below has to wait in line.
    await limiters[0]!.reserve();
    const order: number[] = [];
    const served: Promise<number>[] = [];
    for (let i = 0; i < 8; i++) {
      served.push(limiters[i % 2]!.acquireInteractive(10_000).then(() => order.push(i)));
      // The next one arrives only once this one is in line.
      await waitFor(async () => (await a.zcard(limiters[0]!.interactiveKey)) + order.length >= i + 1, {
        what: `command ${i} in line`,
      });
    }
    await Promise.all(served);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  redisTest(
    'interactive lane: refused at once, joining no line, when the wait would pass its budget',
    async ({ prefix, connect }) => {
      const redis = connect();
      const limiter = new RedisRateLimiter(redis, `${prefix}:busy`, 10);
      // 30 match requests reserved: about 3 s of backlog.
      for (let i = 0; i < 30; i++) await limiter.reserve();
      const err = await limiter.acquireInteractive(1000).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FaceitBusyError);
      expect((err as FaceitBusyError).waitMs).toBeGreaterThan(1000);
      expect(await redis.zcard(limiter.interactiveKey)).toBe(0);
    },
  );

  redisTest(
    'interactive lane: a waiter that match requests keep starving gives up at its deadline and leaves the line',
    async ({ prefix, connect }) => {
      const redis = connect();
      const limiter = new RedisRateLimiter(redis, `${prefix}:starved`, 10);
      for (let i = 0; i < 3; i++) await limiter.reserve();
      const waiting = limiter.acquireInteractive(800).catch((e: unknown) => e);
      await waitFor(async () => (await redis.zcard(limiter.interactiveKey)) === 1, { what: 'in line' });
      // Matches keep coming: the schedule never falls idle for the waiter.
      let done = false;
      void waiting.then(() => {
        done = true;
      });
      while (!done) {
        await limiter.reserve();
        await new Promise((r) => setTimeout(r, limiter.intervalMs / 2));
      }
      expect(await waiting).toBeInstanceOf(FaceitBusyError);
      expect(await redis.zcard(limiter.interactiveKey)).toBe(0);
    },
  );
});
