// Fairness between commands and matches: per-user command limits, and the FACEIT rate limit's lanes.
// Attack: spam /register (alone, or with many accounts) while a match is played, to push the match's
// FACEIT request back and keep its players waiting in the lobby.
import { RedisRateLimiter, redisKey } from '@bridge/core';
import type { FaceitRequestRecord } from '@bridge/sandbox';
import { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import { runCommand, seedLinkedPlayers, stackTest, waitFor, waitForChannels } from './matches-helpers.ts';

const USERS = 40;
const SPAM = 260;
/** The nickname lookups the attack gets past the per-user limit: the spammer's 3 and one per other account. */
const ASKING = USERS + 3;
/** FACEIT requests a second the worker is allowed here. */
const RPS = 2;
const test = stackTest({
  // Discord refuses a defer later than 3 s after the interaction. 300 at once on a loaded 2-core test
  // machine can push one worker's defers past that (as a real bot's would be): the deadline is not what
  // this test is about, so it is relaxed here.
  discord: { interactionAckDeadlineMs: 30_000 },
  // A key allowed 2 requests a second, and commands allowed to wait 10 s for it: the line of commands lasts
  // about 10 s, not the defaults' 3 s, far longer than the webhook takes to become the match's request
  // even on a loaded machine. About 20 commands fit in the line; the rest are told FACEIT is busy.
  workerEnv: { FACEIT_API_RPS: String(RPS), FACEIT_COMMAND_WAIT_MS: '10000' },
  guild: {
    members: [
      { username: 'spammer' },
      ...Array.from({ length: USERS }, (_, i) => ({ username: `crowd${i}` })),
    ],
  },
});

const isLookup = (r: FaceitRequestRecord) =>
  r.route === 'data.players' && r.path.includes('nickname=nobody_');

describe('command spam during a match', () => {
  test('300 /register: the spammer is limited, the match is served before the queued commands', async ({
    stack,
    onTestFinished,
  }) => {
    const redis = new Redis(stack.redisUrl);
    onTestFinished(() => redis.disconnect());
    // The interactive lane's line of commands waiting for FACEIT (rate-limiter.ts), in the worker's prefix.
    const line = redisKey(redis, stack.prefix, 'faceit-rate', 'interactive');
    const members = stack.guild.members as Record<string, string>;
    const players = await seedLinkedPlayers(stack, 'fair', 2);
    const match = stack.faceit.seedMatch({
      faction1: [players[0]!.faceitId],
      faction2: [players[1]!.faceitId],
    });
    let busy = 0;
    const register = (userId: string, nickname: string) =>
      runCommand(stack, { user: userId, name: 'register', options: { nickname }, timeoutMs: 90_000 }).then(
        (a) => {
          if (a.content.startsWith('FACEIT is busy')) busy += 1;
          return a.content;
        },
      );

    // One spammer, 260 times; 40 other accounts once each: 300 invocations, each a nickname lookup at FACEIT.
    const spam = Array.from({ length: SPAM }, (_, i) => register(members.spammer!, `nobody_s${i}`));
    const crowd = Array.from({ length: USERS }, (_, i) => register(members[`crowd${i}`]!, `nobody_c${i}`));
    // Every command past its limit has asked FACEIT, and some have not been answered yet. The per-user
    // limits record each use they let through (one sorted set per user); the worker asks FACEIT's rate
    // limit for that command in the same tick, on the Redis connection the match's request will use after
    // it. So from here on, the match asks while those commands wait, in whatever lane they wait.
    const uses = (userId: string) =>
      redis.zcard(redisKey(redis, stack.prefix, 'command-limits', 'register', userId));
    await waitFor(
      async () => {
        const counted = (await Promise.all(Object.values(members).map(uses))).reduce((a, b) => a + b, 0);
        const served = stack.faceit.requestLog().filter(isLookup).length;
        if (counted < ASKING || served + busy >= ASKING) {
          const waiting = await redis.zcard(line);
          throw new Error(
            `${counted} let through, ${served} looked up, ${waiting} in line, ${busy} told busy`,
          );
        }
        return true;
      },
      { what: `all ${ASKING} lookups asking FACEIT, some not yet answered`, timeoutMs: 90_000 },
    );
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await stack.faceit.waitForRequest('data.match', 1);
    // Nobody joins the line any more: those in it now were waiting when the match asked, and it went first.
    const stillWaiting = await redis.zcard(line);
    await waitForChannels(stack, match.id, 90_000);
    const answers = [...(await Promise.all(spam)), ...(await Promise.all(crowd))];

    // The match's request, as the worker reports it: it went through the match lane, and its slot was at
    // most one slot after it asked (the limiter's own numbers, on Redis's clock), so at most the one lookup
    // in flight went before it...
    const fetched = stack.workers[0]!.lines.find(
      (l) => l.msg === 'FACEIT request' && l.route === 'matches/{id}',
    );
    expect(fetched, 'the match was fetched').toMatchObject({ lane: 'match', status: 200 });
    const slotMs = new RedisRateLimiter(redis, line, RPS).intervalMs;
    expect(fetched!.rateLimitWaitMs, 'how long the match waited for its slot').toBeLessThanOrEqual(slotMs);
    // ...while commands that had asked before it waited in line, and were served after it.
    expect(stillWaiting, 'commands still waiting when the match was served').toBeGreaterThan(0);
    const log = stack.faceit.requestLog();
    const at = log.findIndex((r) => r.route === 'data.match');
    expect(log.slice(at + 1).filter(isLookup).length).toBeGreaterThan(0);

    // The spammer: three lookups (or FACEIT busy), then the limit answer.
    const spammer = answers.slice(0, SPAM);
    expect(spammer.filter((a) => !a.startsWith('Slow down'))).toHaveLength(3);
    expect(
      spammer.filter((a) => /^Slow down: you can use \/register again in \d+ (s|min) /.test(a)),
    ).toHaveLength(SPAM - 3);
    // The crowd: each looked up, or told FACEIT is busy when the line would have kept them waiting long.
    for (const a of answers.slice(SPAM)) {
      expect(a).toMatch(/There is no FACEIT player called \*\*nobody_c\d+\*\*|FACEIT is busy right now/);
    }
    expect(stack.faceit.requestLog().filter(isLookup).length).toBeLessThanOrEqual(ASKING);
    await waitFor(
      () =>
        stack.workers[0]!.lines.some((l) => l.msg === 'command refused: over its per-user limit')
          ? true
          : undefined,
      { what: 'limit logged' },
    );
  });
});
