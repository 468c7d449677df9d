import { waitFor } from '@bridge/testbed';
import { redisTest } from '@bridge/testbed/fixtures';
import { describe, expect, it } from 'vitest';
import { COMMAND_LIMITS, CommandLimits, limitAnswer, waitText } from '../src/index.ts';

describe('command limit answers', () => {
  it.each([
    [400, '1 s'],
    [8_200, '9 s'],
    [59_000, '59 s'],
    [60_000, '1 min'],
    [61_000, '2 min'],
    [3_600_000, '1 h'],
  ])('%i ms reads "%s"', (ms, text) => {
    expect(waitText(ms)).toBe(text);
  });

  it('says when to try again and what the limit is', () => {
    expect(limitAnswer('register', 8_200, COMMAND_LIMITS.register!)).toBe(
      'Slow down: you can use /register again in 9 s (at most 3 times a minute and 10 times an hour). Nothing was changed.',
    );
    expect(limitAnswer('link', 120_000, COMMAND_LIMITS.link!)).toBe(
      'Slow down: you can use /link again in 2 min (at most 5 times every 10 min). Nothing was changed.',
    );
  });
});

describe('CommandLimits', () => {
  redisTest(
    'lets a use through when every window has room; refused uses do not count; users and commands are apart',
    async ({ prefix, connect }) => {
      const [a, b] = [connect(), connect()];
      // Two worker copies share the count.
      const copies = [new CommandLimits(a, prefix), new CommandLimits(b, prefix)];
      const windows = [
        { windowMs: 400, max: 1 },
        { windowMs: 60_000, max: 3 },
      ];
      expect(await copies[0]!.take('register', 'u1', windows)).toEqual({ ok: true });
      const refused = await copies[1]!.take('register', 'u1', windows);
      expect(refused.ok).toBe(false);
      expect(!refused.ok && refused.retryMs).toBeGreaterThan(0);
      expect(!refused.ok && refused.retryMs).toBeLessThanOrEqual(400);
      // Another user, another command: their own counts.
      expect(await copies[1]!.take('register', 'u2', windows)).toEqual({ ok: true });
      expect(await copies[1]!.take('link', 'u1', windows)).toEqual({ ok: true });
      // Hammering while refused changes nothing: the short window frees up on its own.
      for (let i = 0; i < 5; i++) await copies[i % 2]!.take('register', 'u1', windows);
      for (const n of [2, 3]) {
        await waitFor(async () => (await copies[0]!.take('register', 'u1', windows)).ok, {
          what: `use ${n} let through`,
        });
      }
      // Three in the minute: once the short window has passed, the long one refuses, for most of a minute.
      const long = await waitFor(
        async () => {
          const r = await copies[0]!.take('register', 'u1', windows);
          return !r.ok && r.retryMs > 1000 ? r.retryMs : undefined;
        },
        { what: 'the minute window refusing' },
      );
      expect(long).toBeGreaterThan(50_000);
    },
  );
});
