import { PermissionFlagsBits as F } from 'discord.js';
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
  waitFor,
  waitForChannels,
  waitForNoChannels,
  withQueue,
} from './matches-helpers.ts';

// One stack (API + two worker copies) shared by the tests; each test plays its own matches.
const test = stackTest({ workers: 2 });

// View Channel, Connect, Speak and Use Voice Activity (the bot holds it: the emulator's @everyone has it).
const VIEW_CONNECT_SPEAK = String(F.ViewChannel | F.Connect | F.Speak | F.UseVAD);

describe('match voice channels, end to end', () => {
  test('full lifecycle: channels with permissions, players moved, substitution, then cleanup to the lobby', async ({
    stack,
  }) => {
    const [a, b, c, d] = await seedLinkedPlayers(stack, 'life', 4);
    const unlinked = stack.faceit.seedPlayer({ nickname: 'life_unlinked' });
    const match = stack.faceit.seedMatch({ faction1: [a!.faceitId, unlinked.id], faction2: [b!.faceitId] });
    stack.discord.setVoice(stack.guildId, a!.discordId, stack.guild.channels.General!);
    stack.discord.setVoice(stack.guildId, b!.discordId, stack.guild.channels.Lobby!);

    await stack.faceit.play(stack.webhook, match.id, ['match_object_created', 'match_status_configuring']);
    await waitForChannels(stack, match.id);
    const short = shortId(match.id);
    const state = await stack.discord.waitForState(
      stack.guildId,
      (s) => {
        const f1 = s.channels.find((ch) => ch.name === `match-${short}-faction1`);
        const f2 = s.channels.find((ch) => ch.name === `match-${short}-faction2`);
        return f1 && f2 && s.voiceStates[a!.discordId] === f1.id && s.voiceStates[b!.discordId] === f2.id
          ? { s, f1, f2 }
          : undefined;
      },
      20_000,
    );
    expect(state.f1.parentId).toBe(stack.guild.channels.Matches);
    expect(state.f1.createdBy).toBe('bot');
    const ow = (id: string) => state.f1.permissionOverwrites.find((o) => o.id === id);
    expect(ow(stack.guildId)?.deny).toBe(String(F.ViewChannel | F.Connect));
    expect(ow(a!.discordId)?.allow).toBe(VIEW_CONNECT_SPEAK);
    expect(ow(stack.guild.roles.Staff!)?.allow).toBe(VIEW_CONNECT_SPEAK);
    expect(ow(stack.discord.botUserId)).toBeDefined();
    expect(ow(b!.discordId)).toBeUndefined();
    await waitFor(async () => (await matchRows(stack, match.id)).length === 2, { what: 'rows' });
    const rows = await matchRows(stack, match.id);
    expect(rows.map((r) => r.voice_channel_id).sort()).toEqual([state.f1.id, state.f2.id].sort());

    // Substitution: c replaces b in faction2 before ready; d joins faction1.
    stack.faceit.setRoster(match.id, 'faction2', [c!.faceitId]);
    stack.faceit.setRoster(match.id, 'faction1', [a!.faceitId, d!.faceitId]);
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await stack.discord.waitForState(
      stack.guildId,
      (s) => {
        const f2 = s.channels.find((ch) => ch.id === state.f2.id);
        const f1 = s.channels.find((ch) => ch.id === state.f1.id);
        const ids2 = f2?.permissionOverwrites.map((o) => o.id) ?? [];
        const ids1 = f1?.permissionOverwrites.map((o) => o.id) ?? [];
        return ids2.includes(c!.discordId) && !ids2.includes(b!.discordId) && ids1.includes(d!.discordId)
          ? true
          : undefined;
      },
      20_000,
    );
    expect(matchChannels(stack, match.id)).toHaveLength(2);
    // b, substituted out, must not keep hearing faction2: moved to the lobby (a stays in faction1).
    await stack.discord.waitForState(
      stack.guildId,
      (s) => (s.voiceStates[b!.discordId] === stack.guild.channels.Lobby ? true : undefined),
      60_000,
    );
    expect(stack.discord.state(stack.guildId).voiceStates[a!.discordId]).toBe(state.f1.id);

    await stack.faceit.play(stack.webhook, match.id, ['match_status_finished']);
    await waitForNoChannels(stack, match.id);
    const end = stack.discord.state(stack.guildId);
    expect(end.voiceStates[a!.discordId]).toBe(stack.guild.channels.Lobby);
    expect(end.voiceStates[b!.discordId]).toBe(stack.guild.channels.Lobby);
    await waitFor(async () => (await matchRows(stack, match.id)).length === 0, { what: 'rows removed' });
    const [st] = await stack.supabase.query('select status from match_states where match_id = $1', [
      match.id,
    ]);
    expect(st?.status).toBe('ended');
    expect(await failedJobs(stack)).toBe(0);
  });

  test('empty rosters at object_created: nothing built, no retry; the next event builds once FACEIT has them', async ({
    stack,
  }) => {
    const [a, b] = await seedLinkedPlayers(stack, 'empty', 2);
    const match = stack.faceit.seedMatch({ faction1: [], faction2: [] });
    const [created] = await stack.faceit.play(stack.webhook, match.id, ['match_object_created'], {
      buildOptions: { emptyRosters: true },
    });
    const logged = (eventId: string | undefined, msg: string) =>
      stack.workers.some((w) => w.lines.some((l) => l.eventId === eventId && l.msg === msg));
    await waitFor(() => logged(created?.eventId, 'job done'), { what: 'object_created job done' });
    expect(logged(created?.eventId, 'job attempt failed')).toBe(false);
    expect(matchChannels(stack, match.id)).toHaveLength(0);
    stack.faceit.setRoster(match.id, 'faction1', [a!.faceitId]);
    stack.faceit.setRoster(match.id, 'faction2', [b!.faceitId]);
    await stack.faceit.play(stack.webhook, match.id, ['match_status_configuring']);
    await waitForChannels(stack, match.id);
    expect(await failedJobs(stack)).toBe(0);
  });

  test('the same delivery 5 times concurrently gives one channel per faction', async ({ stack }) => {
    const [a, b] = await seedLinkedPlayers(stack, 'dup', 2);
    const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [b!.faceitId] });
    const res = await stack.faceit.play(stack.webhook, match.id, ['match_status_ready'], {
      duplicates: 5,
      concurrent: true,
    });
    expect(res.every((r) => r.status >= 200 && r.status < 300)).toBe(true);
    await waitForChannels(stack, match.id);
    await waitFor(async () => (await matchRows(stack, match.id)).length === 2, { what: 'rows' });
    const names = matchChannels(stack, match.id)
      .map((ch) => ch.name)
      .sort();
    expect(names).toEqual([`match-${shortId(match.id)}-faction1`, `match-${shortId(match.id)}-faction2`]);
  });

  const events = ['match_object_created', 'match_status_ready', 'match_status_finished'] as const;
  const orders = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];
  test('every order of created / ready / finished ends with no channel and no row', async ({ stack }) => {
    const matches = [];
    for (const order of orders) {
      const [a, b] = await seedLinkedPlayers(stack, `ord${order.join('')}`, 2);
      const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [b!.faceitId] });
      await stack.faceit.play(stack.webhook, match.id, [...events], { order });
      matches.push(match.id);
    }
    for (const id of matches) {
      await waitFor(
        async () => {
          const [st] = await stack.supabase.query('select status from match_states where match_id = $1', [
            id,
          ]);
          return st?.status === 'ended' && (await matchRows(stack, id)).length === 0;
        },
        { what: `match ${id} ended`, timeoutMs: 60_000 },
      );
      await waitForNoChannels(stack, id);
    }
    // Let every job of these matches settle (set-up and clean-up), then check nothing came back.
    for (const name of ['matches', 'cleanup'] as const) {
      await withQueue(stack, name, (queue) =>
        waitFor(async () => (await queue.getJobCountByTypes('active', 'waiting', 'delayed')) === 0, {
          what: `${name} queue drained`,
          timeoutMs: 60_000,
        }),
      );
    }
    for (const id of matches) expect(matchChannels(stack, id)).toHaveLength(0);
    expect(await failedJobs(stack)).toBe(0);
  });

  for (const event of ['match_status_cancelled', 'match_status_aborted'] as const) {
    test(`${event} removes the channels`, async ({ stack }) => {
      const [a, b] = await seedLinkedPlayers(stack, event.slice(13), 2);
      const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [b!.faceitId] });
      await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
      await waitForChannels(stack, match.id);
      await stack.faceit.play(stack.webhook, match.id, [event]);
      await waitForNoChannels(stack, match.id);
      await waitFor(async () => (await matchRows(stack, match.id)).length === 0, { what: 'rows removed' });
    });
  }

  test('a player not in voice who connects later is moved once, and not dragged back after leaving', async ({
    stack,
  }) => {
    const [a, b] = await seedLinkedPlayers(stack, 'late', 2);
    const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [b!.faceitId] });
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await waitForChannels(stack, match.id);
    await waitFor(async () => (await matchRows(stack, match.id)).length === 2, { what: 'rows' });
    const f1 = matchChannels(stack, match.id).find((ch) => ch.name.endsWith('faction1'))!;

    stack.discord.setVoice(stack.guildId, a!.discordId, stack.guild.channels.General!);
    await stack.discord.waitForState(
      stack.guildId,
      (s) => (s.voiceStates[a!.discordId] === f1.id ? true : undefined),
      60_000,
    );
    // Leaves on purpose, then reconnects elsewhere: a later event and the listener leave them be.
    stack.discord.setVoice(stack.guildId, a!.discordId, null);
    stack.discord.setVoice(stack.guildId, a!.discordId, stack.guild.channels.General!);
    const [cfg] = await stack.faceit.play(stack.webhook, match.id, ['match_status_configuring'], {
      applyStatus: false,
    });
    expect(cfg?.status).toBe(202);
    expect(
      (await settledJob(stack, 'matches', deliveredJobId(stack.faceit, match.id, 'match_status_configuring')))
        .state,
    ).toBe('completed');
    const [moves] = await stack.supabase.query<{ n: string }>(
      'select count(*)::text as n from match_moves where match_id = $1 and discord_id = $2',
      [match.id, a!.discordId],
    );
    expect(moves?.n).toBe('1');
    expect(stack.discord.state(stack.guildId).voiceStates[a!.discordId]).toBe(stack.guild.channels.General);
  });
});
