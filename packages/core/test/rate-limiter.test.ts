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
    'a backlog of many seconds is kept: a request asked seconds after a burst waits for every slot reserved before it',
    async ({ prefix, connect }) => {
      const limiter = new RedisRateLimiter(connect(), `${prefix}:backlog`, 10);
      // A burst of 100 match requests: about 10 s of slots.
      const reserved = await Promise.all(Array.from({ length: 100 }, () => limiter.reserve()));
      const last = Math.max(...reserved.map((r) => r.slotMs));
      // Seconds go by with no other request, while slots of the burst are still due.
      await waitFor(async () => (await limiter.backlogMs()) <= 6000, {
        what: 'about 4 s of the backlog gone',
        intervalMs: 100,
      });
      // The next request goes after the last slot reserved, not on top of those still due.
      expect((await limiter.reserve()).slotMs).toBe(last + limiter.intervalMs);
    },
  );

  redisTest(
    'interactive lane: a match request asked while commands wait in line goes within one slot, not behind them',
    async ({ prefix, connect }) => {
      const [a, b] = [connect(), connect()];
      // Two requests a second: the eight commands below keep a line for about 3.5 s, so they still wait when
      // the match asks even if this test is held up for seconds.
      const commands = new RedisRateLimiter(a, `${prefix}:lanes`, 2);
      const matches = new RedisRateLimiter(b, `${prefix}:lanes`, 2);
      const all = Array.from({ length: 8 }, () => commands.acquireInteractive(30_000));
      // Redis runs a connection's commands in order: once this answers, all eight have asked for a slot.
      await a.ping();
      // The match reserves the next slot on Redis's clock: at most the one command in flight is ahead of it.
      const { waitMs } = await matches.reserve();
      expect(waitMs).toBeLessThanOrEqual(matches.intervalMs);
      // Nobody joins the line after the reserve, so those in it now were waiting when the match asked.
      expect(await a.zcard(commands.interactiveKey), 'commands still waiting').toBeGreaterThan(0);
      // Every command is still served, none refused.
      expect(await Promise.all(all)).toHaveLength(8);
      expect(await a.exists(commands.interactiveKey)).toBe(0);
    },
  );

  redisTest(
    'interactive lane: its requests keep the rate, one per slot, and wait behind match requests already reserved',
    async ({ prefix, connect }) => {
      const limiter = new RedisRateLimiter(connect(), `${prefix}:spacing`, 10);
      const interval = limiter.intervalMs;
      // Three match requests reserved first: the commands come after them. `start` is taken before the
      // first reserve, so the bounds below hold however long the reserves take.
      const start = performance.now();
      for (let i = 0; i < 3; i++) await limiter.reserve();
      const released = await Promise.all(
        Array.from({ length: 5 }, async () => {
          await limiter.acquireInteractive(5000);
          return performance.now() - start;
        }),
      );
      released.sort((x, y) => x - y);
      // Command k takes the slot 3 + k intervals after the first match request's, which came after `start`.
      // Timers fire late, never early: lower bounds only (2 ms for Redis's whole-millisecond clock).
      released.forEach((at, k) => {
        expect(at, `command ${k}`).toBeGreaterThanOrEqual((k + 3) * interval - 2);
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
      // 50 match requests reserved: about 5 s of backlog, 4 s more than the budget.
      await Promise.all(Array.from({ length: 50 }, () => limiter.reserve()));
      const err = await limiter.acquireInteractive(1000).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FaceitBusyError);
      expect((err as FaceitBusyError).waitMs).toBeGreaterThan(1000);
      expect(await redis.zcard(limiter.interactiveKey)).toBe(0);
    },
  );

  redisTest(
    'interactive lane: a waiter that match requests push past its deadline gives up and leaves the line',
    async ({ prefix, connect }) => {
      const redis = connect();
      const limiter = new RedisRateLimiter(redis, `${prefix}:starved`, 10);
      // About 3 s of match requests ahead: within its 5 s budget, so it waits in line.
      await Promise.all(Array.from({ length: 30 }, () => limiter.reserve()));
      const waiting = limiter.acquireInteractive(5000).catch((e: unknown) => e);
      await waitFor(async () => (await redis.zcard(limiter.interactiveKey)) === 1, { what: 'in line' });
      // More matches come before its turn: its wait now runs past its deadline.
      await Promise.all(Array.from({ length: 30 }, () => limiter.reserve()));
      expect(await waiting).toBeInstanceOf(FaceitBusyError);
      expect(await redis.zcard(limiter.interactiveKey)).toBe(0);
    },
  );
});
