import { PermissionFlagsBits as F } from 'discord.js';
import { describe, expect } from 'vitest';
import {
  deliveredJobId,
  failedJobs,
  matchChannels,
  matchRows,
  matchState,
  seedLinkedPlayers,
  settledJob,
  shortId,
  stackTest,
  sweepNow,
  waitForChannels,
  waitForNoChannels,
  withQueue,
  workerLogged,
} from './matches-helpers.ts';

// FACEIT as it really is (issue 12): the secret in the query string, 404s that are not final,
// championship benches and bye opponents. One stack (API + two worker copies), distinct matches per test.
const test = stackTest({ workers: 2, apiEnv: { FACEIT_WEBHOOK_QUERY_PARAM: 'auth' } });

// View Channel, Connect, Speak and Use Voice Activity (the bot holds it: the emulator's @everyone has it).
const VIEW_CONNECT_SPEAK = String(F.ViewChannel | F.Connect | F.Speak | F.UseVAD);

describe('the webhook secret in the query string', () => {
  test('a subscription that sends the secret as ?auth= drives the whole bridge', async ({ stack }) => {
    const [a, b] = await seedLinkedPlayers(stack, 'qs', 2);
    const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [b!.faceitId] });
    const target = { url: stack.webhook.url, secret: stack.webhook.secret, query: 'auth' };
    const [res] = await stack.faceit.play(target, match.id, ['match_status_ready']);
    expect(res?.status).toBe(202);
    await waitForChannels(stack, match.id);
    const [wrong] = await stack.faceit.play({ ...target, secret: 'not-the-secret' }, match.id, [
      'match_status_finished',
    ]);
    expect(wrong?.status).toBe(401);
    expect(matchChannels(stack, match.id)).toHaveLength(2);
    // The API process's log (access to the URL included) never shows the secret the URL carried.
    const apiLog = JSON.stringify(stack.apis.flatMap((a) => a.proc.lines));
    expect(apiLog).toContain(match.id);
    expect(apiLog).not.toContain(stack.webhook.secret);
    expect(apiLog).not.toContain('not-the-secret');
  });
});

describe('a Data API 404 is not proof that a match does not exist', () => {
  test('matchCreated retries a match FACEIT hides for a few seconds, then builds its channels', async ({
    stack,
  }) => {
    const [a, b] = await seedLinkedPlayers(stack, 'hid', 2);
    const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [b!.faceitId] });
    stack.faceit.hideMatch(match.id, 3000);
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await waitForChannels(stack, match.id);
    const job = await settledJob(
      stack,
      'matches',
      deliveredJobId(stack.faceit, match.id, 'match_status_ready'),
    );
    expect(job.state).toBe('completed');
    // It did see the 404 first, and retried rather than failing.
    expect(job.attemptErrors[0]).toMatch(/404 err_nf0/);
    expect(await failedJobs(stack)).toBe(0);
  });

  test('an old redelivery for a match FACEIT still 404s fails at once, naming the match as unknown', async ({
    stack,
  }) => {
    const [a, b] = await seedLinkedPlayers(stack, 'old404', 2);
    const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [b!.faceitId] });
    stack.faceit.hideMatch(match.id, 3_600_000);
    const envelope = stack.faceit.buildWebhook(match.id, 'match_status_configuring');
    // FACEIT redelivering an event it first sent 11 minutes ago: the retry window is spent.
    const old = { ...envelope, retry_count: 5, timestamp: new Date(Date.now() - 11 * 60_000).toISOString() };
    expect((await stack.faceit.deliver(stack.webhook, old)).status).toBe(202);
    // Read once it has failed (settledJob): a job fetched before may predate its failure.
    const job = await settledJob(
      stack,
      'matches',
      deliveredJobId(stack.faceit, match.id, 'match_status_configuring'),
      30_000,
    );
    expect(job.state).toBe('failed');
    expect(job.failedReason).toBe(
      `FACEIT has no match ${match.id} (404 err_nf0): the match id ${match.id} is unknown to FACEIT (still 404 after retrying)`,
    );
    expect(job.attemptsMade).toBe(1);
    expect(matchChannels(stack, match.id)).toHaveLength(0);
    await withQueue(stack, 'matches', (q) => q.clean(0, 100, 'failed'));
  });

  test('the sweep keeps a live match through 404s, and ends it only once they span 30 minutes', async ({
    stack,
  }) => {
    const [a, b] = await seedLinkedPlayers(stack, 'sw404', 2);
    const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [b!.faceitId] });
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await waitForChannels(stack, match.id);
    const channels = matchChannels(stack, match.id).map((c) => c.id);

    stack.faceit.hideMatch(match.id, 3_600_000);
    await sweepNow(stack);
    await sweepNow(stack);
    // Two consecutive 404 sweeps, minutes apart in real life: the channels stay.
    expect(matchChannels(stack, match.id).map((c) => c.id)).toEqual(channels);
    const kept = await matchState(stack, match.id);
    expect(kept).toMatchObject({ status: 'active' });
    expect(kept?.missing_sweeps).toBeGreaterThanOrEqual(2);
    expect(
      await workerLogged(
        stack,
        (l) =>
          l.matchId === match.id && String(l.msg).startsWith('FACEIT answers 404 for an active match; kept'),
      ),
    ).toBe(true);

    // As if the first of those 404s had been 31 minutes ago.
    await stack.supabase.query(
      `update match_states set missing_since = now() - interval '31 minutes' where match_id = $1`,
      [match.id],
    );
    await sweepNow(stack);
    await waitForNoChannels(stack, match.id);
    expect(await matchRows(stack, match.id)).toHaveLength(0);
    expect(await matchState(stack, match.id)).toMatchObject({
      status: 'ended',
      ended_reason: 'sweep-unknown-match',
    });
  });

  test('a match that shows up again ends the 404 streak', async ({ stack }) => {
    const [a, b] = await seedLinkedPlayers(stack, 'back', 2);
    const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [b!.faceitId] });
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await waitForChannels(stack, match.id);
    stack.faceit.hideMatch(match.id, 3_600_000);
    await sweepNow(stack);
    expect((await matchState(stack, match.id))?.missing_sweeps).toBeGreaterThanOrEqual(1);
    stack.faceit.hideMatch(match.id, 0);
    await sweepNow(stack);
    expect(await matchState(stack, match.id)).toMatchObject({
      status: 'active',
      missing_sweeps: 0,
      missing_since: null,
    });
    expect(matchChannels(stack, match.id)).toHaveLength(2);
  });
});

describe('championship rosters', () => {
  test('a substitute who plays is admitted and moved; a bench substitute is admitted, not moved', async ({
    stack,
  }) => {
    const [a, b, sub, bench] = await seedLinkedPlayers(stack, 'champ', 4);
    const general = stack.guild.channels.General!;
    for (const p of [a, b, sub, bench]) stack.discord.setVoice(stack.guildId, p!.discordId, general);
    const match = stack.faceit.seedMatch({
      competitionType: 'championship',
      factionNames: ['Alpha', 'Beta'],
      faction1: [a!.faceitId],
      faction2: [b!.faceitId],
      substitutes: { faction2: [{ player: sub!.faceitId, playing: true }, { player: bench!.nickname }] },
    });
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await waitForChannels(stack, match.id);
    const f2Name = `match-${shortId(match.id)}-faction2`;
    const state = await stack.discord.waitForState(
      stack.guildId,
      (s) => {
        const f2 = s.channels.find((c) => c.name === f2Name);
        return f2 && s.voiceStates[b!.discordId] === f2.id && s.voiceStates[sub!.discordId] === f2.id
          ? { s, f2 }
          : undefined;
      },
      20_000,
    );
    const allowed = (id: string) => state.f2.permissionOverwrites.find((o) => o.id === id)?.allow;
    expect(allowed(b!.discordId)).toBe(VIEW_CONNECT_SPEAK);
    expect(allowed(sub!.discordId)).toBe(VIEW_CONNECT_SPEAK);
    expect(allowed(bench!.discordId)).toBe(VIEW_CONNECT_SPEAK);
    expect(
      (await settledJob(stack, 'matches', deliveredJobId(stack.faceit, match.id, 'match_status_ready')))
        .state,
    ).toBe('completed');
    expect(stack.discord.state(stack.guildId).voiceStates[bench!.discordId]).toBe(general);
  });

  test('a bye opponent: one channel for the team that plays, no retries, no failed job', async ({
    stack,
  }) => {
    const [a] = await seedLinkedPlayers(stack, 'bye', 1);
    stack.discord.setVoice(stack.guildId, a!.discordId, stack.guild.channels.General!);
    const match = stack.faceit.seedMatch({
      competitionType: 'championship',
      faction1: [a!.faceitId],
      faction2: [],
      bye: 'faction2',
    });
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    const f1Name = `match-${shortId(match.id)}-faction1`;
    await stack.discord.waitForState(
      stack.guildId,
      (s) => {
        const f1 = s.channels.find((c) => c.name === f1Name);
        return f1 && s.voiceStates[a!.discordId] === f1.id ? true : undefined;
      },
      20_000,
    );
    const job = await settledJob(
      stack,
      'matches',
      deliveredJobId(stack.faceit, match.id, 'match_status_ready'),
    );
    expect(job).toMatchObject({ state: 'completed', attemptsMade: 1, attemptErrors: [] });
    expect(matchChannels(stack, match.id).map((c) => c.name)).toEqual([f1Name]);
    expect(await failedJobs(stack)).toBe(0);
    await stack.faceit.play(stack.webhook, match.id, ['match_status_finished']);
    await waitForNoChannels(stack, match.id);
  });

  test('nobody on either side (a bye against an empty team): logged and ignored on the first attempt', async ({
    stack,
  }) => {
    const match = stack.faceit.seedMatch({
      competitionType: 'championship',
      faction1: [],
      faction2: [],
      bye: 'faction1',
    });
    const [delivered] = await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    const job = await settledJob(
      stack,
      'matches',
      deliveredJobId(stack.faceit, match.id, 'match_status_ready'),
    );
    expect(job).toMatchObject({ state: 'completed', attemptsMade: 1, result: { status: 'no-players' } });
    expect(
      await workerLogged(
        stack,
        (l) =>
          l.eventId === delivered?.eventId &&
          String(l.msg).startsWith('no players on either side') &&
          (l.teams as unknown[])[0] === 'bye',
      ),
    ).toBe(true);
    expect(matchChannels(stack, match.id)).toHaveLength(0);
    expect(await failedJobs(stack)).toBe(0);
  });
});
