import { redisTest } from '@bridge/testbed/fixtures';
import { describe, expect } from 'vitest';
import { RedisRateLimiter } from '../src/index.ts';

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
});
