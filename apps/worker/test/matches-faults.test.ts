import type { Stack } from '@bridge/testbed';
import { PermissionFlagsBits as F, REST, Routes } from 'discord.js';
import { describe, expect } from 'vitest';
import {
  deliveredJobId,
  failedJobs,
  matchChannels,
  matchRows,
  seedLinkedPlayers,
  settledJob,
  shortId,
  stackTest,
  sweepNow,
  waitFor,
  waitForChannels,
  waitForNoChannels,
  withQueue,
} from './matches-helpers.ts';

// Faults, crashes and the sweep; one stack (API + two worker copies), distinct matches per test.
const test = stackTest({
  workers: 2,
  guild: { channels: [{ name: 'match-cafebabe-faction1', type: 'voice', parent: 'Matches' }] },
});

const CREATE = 'POST /guilds/:guild/channels';

async function playedMatch(stack: Stack, tag: string) {
  const [a, b] = await seedLinkedPlayers(stack, tag, 2);
  stack.discord.setVoice(stack.guildId, a!.discordId, stack.guild.channels.General!);
  const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [b!.faceitId] });
  return { match, a: a!, b: b! };
}

async function expectOnePerFaction(stack: Stack, matchId: string, timeoutMs = 60_000) {
  await waitForChannels(stack, matchId, timeoutMs);
  await waitFor(async () => (await matchRows(stack, matchId)).length === 2, {
    what: 'rows',
    timeoutMs,
  });
  const rows = await matchRows(stack, matchId);
  const channels = matchChannels(stack, matchId);
  expect(channels).toHaveLength(2);
  expect(rows.map((r) => r.voice_channel_id).sort()).toEqual(channels.map((c) => c.id).sort());
}

describe('match voice channels under faults', () => {
  test('a Discord 429 storm is waited out: correct end state, no failed job', async ({ stack }) => {
    const { match, a } = await playedMatch(stack, 'rl');
    stack.discord.setFault({ route: '*', kind: 'ratelimit', retryAfter: 0.3, times: 6 });
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await expectOnePerFaction(stack, match.id);
    const f1 = matchChannels(stack, match.id).find((c) => c.name.endsWith('faction1'))!;
    await stack.discord.waitForState(
      stack.guildId,
      (s) => (s.voiceStates[a.discordId] === f1.id ? true : undefined),
      60_000,
    );
    expect(stack.discord.stats().faultsInjected).toBeGreaterThan(0);
    expect(await failedJobs(stack)).toBe(0);
  });

  test('a Discord 5xx storm is retried: correct end state, no failed job', async ({ stack }) => {
    const { match } = await playedMatch(stack, '5xx');
    const served = (status: number) => stack.discord.stats().byStatus[String(status)] ?? 0;
    const [before502, before500] = [served(502), served(500)];
    stack.discord.setFault({ route: CREATE, kind: 'status', status: 502, times: 4 });
    stack.discord.setFault({ route: 'DELETE /channels/:channel', kind: 'status', status: 500, times: 3 });
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await expectOnePerFaction(stack, match.id);
    await stack.faceit.play(stack.webhook, match.id, ['match_status_finished']);
    await waitForNoChannels(stack, match.id);
    await waitFor(async () => (await matchRows(stack, match.id)).length === 0, { what: 'rows removed' });
    // The storm really happened: every injected 5xx was served (and retried through).
    expect(served(502) - before502).toBe(4);
    expect(served(500) - before500).toBe(3);
    expect(await failedJobs(stack)).toBe(0);
  });

  test('a FACEIT 429 is waited out', async ({ stack }) => {
    const { match } = await playedMatch(stack, 'f429');
    stack.faceit.setFault({ route: 'data.match', kind: 'ratelimit', retryAfter: 1, times: 3 });
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await expectOnePerFaction(stack, match.id);
    expect(stack.faceit.stats().faultsInjected).toBeGreaterThanOrEqual(3);
    expect(await failedJobs(stack)).toBe(0);
  });

  test('the sweep removes an orphan it created and spares a look-alike it did not create', async ({
    stack,
  }) => {
    const seeded = stack.guild.channels['match-cafebabe-faction1']!;
    // An orphan: a bridge-style channel (bot marker) that no row knows, e.g. left by a lost database row.
    const rest = new REST({ api: stack.discord.apiUrl }).setToken(stack.discord.botToken);
    const orphan = (await rest.post(Routes.guildChannels(stack.guildId), {
      body: {
        name: 'match-deadbeef-faction2',
        type: 2,
        parent_id: stack.guild.channels.Matches,
        permission_overwrites: [
          { id: stack.guildId, type: 0, deny: String(F.ViewChannel | F.Connect), allow: '0' },
          {
            id: stack.discord.botUserId,
            type: 1,
            allow: String(F.ViewChannel | F.Connect | F.MoveMembers | F.ManageChannels),
            deny: '0',
          },
        ],
      },
    })) as { id: string };
    // And an active match whose channels must survive the sweep.
    const { match } = await playedMatch(stack, 'sweep');
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await expectOnePerFaction(stack, match.id);

    await sweepNow(stack, 'sweep-test');
    const ids = stack.discord.state(stack.guildId).channels.map((c) => c.id);
    expect(ids).not.toContain(orphan.id);
    expect(ids).toContain(seeded);
    expect(matchChannels(stack, match.id)).toHaveLength(2);
  });

  test('the sweep ends a match FACEIT reports finished', async ({ stack }) => {
    const { match } = await playedMatch(stack, 'swfin');
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await expectOnePerFaction(stack, match.id);
    stack.faceit.setStatus(match.id, 'FINISHED');
    await sweepNow(stack, 'sweep-test-2');
    await waitForNoChannels(stack, match.id);
    expect(await matchRows(stack, match.id)).toHaveLength(0);
  });

  test('the sweep forgets a match that ended more than MATCH_RETENTION_DAYS ago, and only that one', async ({
    stack,
  }) => {
    const old = await playedMatch(stack, 'retold');
    const recent = await playedMatch(stack, 'retnew');
    for (const { match } of [old, recent]) {
      await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
      await expectOnePerFaction(stack, match.id);
      await stack.faceit.play(stack.webhook, match.id, ['match_status_finished']);
      await waitForNoChannels(stack, match.id);
      await waitFor(async () => (await matchRows(stack, match.id)).length === 0, { what: 'rows removed' });
    }
    await stack.supabase.query(
      `update match_states set ended_at = now() - interval '8 days' where match_id = $1`,
      [old.match.id],
    );
    // The rows tell, not the sweep's count: a scheduled sweep may have pruned it first.
    await sweepNow(stack, 'sweep-test-retention');
    const kept = async (table: string, matchId: string) =>
      (await stack.supabase.query(`select 1 from ${table} where match_id = $1`, [matchId])).length > 0;
    for (const table of ['match_states', 'match_rosters', 'match_moves']) {
      expect(await kept(table, old.match.id), `${table} of the old match`).toBe(false);
      expect(await kept(table, recent.match.id), `${table} of the recent match`).toBe(true);
    }
  });

  test('matchFinished arriving while matchCreated is creating leaves no channel behind', async ({
    stack,
  }) => {
    const { match } = await playedMatch(stack, 'race');
    const before = stack.discord.stats().byRoute[CREATE] ?? 0;
    stack.discord.setLatency(CREATE, 1500);
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await waitFor(() => (stack.discord.stats().byRoute[CREATE] ?? 0) > before, { what: 'create in flight' });
    const [fin] = await stack.faceit.play(stack.webhook, match.id, ['match_status_finished']);
    expect(fin?.status).toBe(202);
    expect(
      (await settledJob(stack, 'cleanup', deliveredJobId(stack.faceit, match.id, 'match_status_finished')))
        .state,
    ).toBe('completed');
    stack.discord.setLatency(CREATE, 0);
    await withQueue(stack, 'matches', (queue) =>
      waitFor(
        async () =>
          (await queue.getJob(deliveredJobId(stack.faceit, match.id, 'match_status_ready')))?.isCompleted(),
        {
          what: 'created job settled',
          timeoutMs: 60_000,
        },
      ),
    );
    await waitForNoChannels(stack, match.id);
    expect(await matchRows(stack, match.id)).toHaveLength(0);
    expect(await failedJobs(stack)).toBe(0);
  });

  test('every copy keeps one sweep scheduler on the maintenance queue', async ({ stack }) => {
    const schedulers = await withQueue(stack, 'maintenance', (queue) => queue.getJobSchedulers());
    expect(schedulers.map((s) => s.key)).toEqual(['sweep']);
    expect(schedulers[0]?.every).toBe(300_000);
  });

  test('a move claim left by a copy that died before moving is taken over: the player is still moved', async ({
    stack,
  }) => {
    const { match, a } = await playedMatch(stack, 'deadclaim');
    // What a copy killed between its claim and its move leaves behind: a claim in this guild, no move
    // (2 s left).
    await stack.supabase.query(
      `insert into match_moves (match_id, guild_id, discord_id, moved_at, holder, expires_at)
       values ($1, $2, $3, null, 'dead-copy', now() + interval '2 seconds')`,
      [match.id, stack.guildId, a.discordId],
    );
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await waitForChannels(stack, match.id);
    const f1 = matchChannels(stack, match.id).find((c) => c.name.endsWith('faction1'))!;
    await stack.discord.waitForState(
      stack.guildId,
      (s) => (s.voiceStates[a.discordId] === f1.id ? true : undefined),
      30_000,
    );
    // The claim becomes final just after the move (the confirm follows Discord's answer).
    const claim = async () =>
      (
        await stack.supabase.query<{ final: boolean; holder: string | null }>(
          'select moved_at is not null as final, holder from match_moves where match_id = $1 and discord_id = $2',
          [match.id, a.discordId],
        )
      )[0];
    await waitFor(async () => (await claim())?.final, { what: 'the move claim made final' });
    expect(await claim()).toEqual({ final: true, holder: null });
    expect(await failedJobs(stack)).toBe(0);
  });

  test('a worker SIGKILLed while creating a channel: the other copy finishes, one channel per faction', async ({
    stack,
  }) => {
    const { match } = await playedMatch(stack, 'kill');
    const before = stack.discord.stats().byRoute[CREATE] ?? 0;
    stack.discord.setLatency(CREATE, 2000);
    const [delivered] = await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    const holder = await waitFor(
      () => stack.workers.find((w) => w.lines.some((l) => l.eventId === delivered?.eventId)),
      { what: 'a worker took the job' },
    );
    await waitFor(() => (stack.discord.stats().byRoute[CREATE] ?? 0) > before, { what: 'create in flight' });
    expect(await holder.kill('SIGKILL')).toBe('SIGKILL');
    stack.discord.setLatency(CREATE, 0);
    // The job comes back only once its lock expires (10 s) and a stalled check sees it (every 5 s).
    await expectOnePerFaction(stack, match.id, 90_000);
    expect(
      matchChannels(stack, match.id)
        .map((c) => c.name)
        .sort(),
    ).toEqual([`match-${shortId(match.id)}-faction1`, `match-${shortId(match.id)}-faction2`]);
    // The holder is dead: another copy finished the job.
    const job = await settledJob(
      stack,
      'matches',
      deliveredJobId(stack.faceit, match.id, 'match_status_ready'),
      90_000,
    );
    expect(job.state).toBe('completed');
    // The channel whose creation was cut short was found by name and reused, not created twice.
    expect(
      stack.workers.some((w) =>
        w.lines.some((l) => l.matchId === match.id && l.msg === 'existing channel adopted'),
      ),
    ).toBe(true);
  }, 240_000);
});
