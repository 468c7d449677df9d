// Fairness between commands and matches: per-user command limits, and the FACEIT rate limit's lanes.
// Attack: spam /register (alone, or with many accounts) while a match is played, to push the match's
// FACEIT request back and keep its players waiting in the lobby.
import { describe, expect } from 'vitest';
import { runCommand, seedLinkedPlayers, stackTest, waitFor, waitForChannels } from './matches-helpers.ts';

const USERS = 40;
const SPAM = 260;
const test = stackTest({
  // Discord refuses a defer later than 3 s after the interaction. 300 at once on a loaded 2-core test
  // machine can push one worker's defers past that (as a real bot's would be): the deadline is not what
  // this test is about, so it is relaxed here.
  discord: { interactionAckDeadlineMs: 30_000 },
  guild: {
    members: [
      { username: 'spammer' },
      ...Array.from({ length: USERS }, (_, i) => ({ username: `crowd${i}` })),
    ],
  },
});

describe('command spam during a match', () => {
  test('300 /register: the spammer is limited, the match is served before the queued commands', async ({
    stack,
  }) => {
    const members = stack.guild.members as Record<string, string>;
    const players = await seedLinkedPlayers(stack, 'fair', 2);
    const match = stack.faceit.seedMatch({
      faction1: [players[0]!.faceitId],
      faction2: [players[1]!.faceitId],
    });
    const register = (userId: string, nickname: string) =>
      runCommand(stack, { user: userId, name: 'register', options: { nickname }, timeoutMs: 90_000 }).then(
        (a) => a.content,
      );

    // One spammer, 260 times; 40 other accounts once each: 300 invocations, each a nickname lookup at FACEIT.
    const spam = Array.from({ length: SPAM }, (_, i) => register(members.spammer!, `nobody_s${i}`));
    const crowd = Array.from({ length: USERS }, (_, i) => register(members[`crowd${i}`]!, `nobody_c${i}`));
    // The commands' lookups have begun (FACEIT serves 10 a second): the rest wait for the rate limit.
    await stack.faceit.waitForRequest('data.players', 3);
    const before = stack.faceit.requestLog().length;
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await waitForChannels(stack, match.id, 90_000);

    const answers = [...(await Promise.all(spam)), ...(await Promise.all(crowd))];
    const log = stack.faceit.requestLog().slice(before);
    const at = log.findIndex((r) => r.route === 'data.match');
    expect(at, 'the match was fetched').toBeGreaterThanOrEqual(0);
    const lookupsAfter = log.slice(at + 1).filter((r) => r.route === 'data.players').length;
    const lookupsBefore = log.slice(0, at).filter((r) => r.route === 'data.players').length;
    // Served within a slot of asking: the commands still in line when it asked came after it.
    expect(lookupsAfter, `lookups after the match (${lookupsBefore} before it)`).toBeGreaterThanOrEqual(10);

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
    const lookups = stack.faceit.requestLog().filter((r) => r.route === 'data.players').length;
    expect(lookups).toBeLessThanOrEqual(USERS + 3);
    await waitFor(
      () =>
        stack.workers[0]!.lines.some((l) => l.msg === 'command refused: over its per-user limit')
          ? true
          : undefined,
      { what: 'limit logged' },
    );
  });
});
