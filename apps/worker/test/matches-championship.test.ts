import type { Stack } from '@bridge/testbed';
import { describe, expect } from 'vitest';
import {
  type CardEmbed,
  cardsOf,
  cardsOn,
  cardsStack,
  failedJobs,
  jobResult,
  matchChannels,
  seedLinkedPlayers,
  stackTest,
  waitFor,
  waitForCard,
  waitForChannels,
  waitForNoChannels,
  withQueue,
} from './matches-helpers.ts';

// The records of a match on its card, as FACEIT sends them (real championship captures, fixtures/
// faceit-samples/modelled__*): a forfeit, a cancel's reason and AFK players, one demo per map of a series,
// and the captured championship room played end to end on the emulator clock.
const test = stackTest(cardsStack());

const field = (e: CardEmbed, name: string) => e.fields.find((f) => f.name === name)?.value;
const text = (e: CardEmbed) => [e.description, ...e.fields.map((f) => `${f.name}: ${f.value}`)].join('\n');
const cardEdits = (stack: Stack) =>
  stack.discord.stats().byRoute['PATCH /channels/:channel/messages/:message'] ?? 0;

describe('the card shows what FACEIT recorded', () => {
  test('a forfeit: shown as a forfeit, no score, no ELO change', async ({ stack }) => {
    await cardsOn(stack);
    const [a, bb] = await seedLinkedPlayers(stack, 'ff', 2);
    const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [bb!.faceitId] });
    await stack.faceit.play(stack.webhook, match.id, ['match_status_configuring', 'match_status_ready']);
    (await waitForCard(stack, match.id, 'ready', (e) => e.description.startsWith('🟢 Ready'))).embed;
    const elo = new Map(stack.faceit.players().map((p) => [p.id, p.elo]));
    stack.faceit.advanceTime(5 * 60_000);
    stack.faceit.setStatus(match.id, 'FINISHED', { forfeit: true, winner: 'faction2' });
    const [fin] = await stack.faceit.play(stack.webhook, match.id, ['match_status_finished'], {
      applyStatus: false,
    });
    expect(fin?.envelope.payload.started_at).toBe('1970-01-01T00:00:00Z');
    await waitForNoChannels(stack, match.id);
    const done = (await waitForCard(stack, match.id, 'forfeit', (e) => e.description.startsWith('🏳️'))).embed;
    expect(done.description).toBe(`🏳️ Forfeit (not played): **${match.factions.faction2.name}** gets the win`);
    expect(text(done)).not.toMatch(/\d+–\d+|ELO/);
    expect(done.footer.text).not.toMatch(/ELO/);
    // Nothing was played: FACEIT moved nobody's ELO, and the card claims no change.
    expect(stack.faceit.players().every((p) => elo.get(p.id) === p.elo)).toBe(true);
  });

  test('a cancel: its reason, and the AFK players (a mention for a member, the nickname for anyone else)', async ({
    stack,
  }) => {
    await cardsOn(stack);
    const [a] = await seedLinkedPlayers(stack, 'afk', 1);
    const stranger = stack.faceit.seedPlayer({ nickname: 'afk_stranger' });
    const match = stack.faceit.seedMatch({
      competitionType: 'championship',
      faction1: [a!.faceitId],
      faction2: [stranger.id],
    });
    await stack.faceit.play(stack.webhook, match.id, ['match_status_configuring']);
    (await waitForCard(stack, match.id, 'configuring', (e) => e.description.startsWith('🟡'))).embed;
    await waitForChannels(stack, match.id);
    stack.faceit.setStatus(match.id, 'CANCELLED', { afk: [a!.faceitId, stranger.id] });
    const [cancel] = await stack.faceit.play(stack.webhook, match.id, ['match_status_cancelled'], {
      applyStatus: false,
    });
    expect(cancel?.envelope.payload).toMatchObject({ reason: 'MANUAL', afk: [a!.faceitId, stranger.id] });
    await waitForNoChannels(stack, match.id);
    const done = (await waitForCard(stack, match.id, 'cancelled', (e) => e.description.startsWith('⚪')))
      .embed;
    expect(done.description).toBe('⚪ Cancelled: by an admin (MANUAL)');
    expect(field(done, 'AFK')).toBe(`<@${a!.discordId}>, afk\\_stranger`);
  });

  test("match_demo_ready adds each map's line: one edit per map, never a new card, nothing for a line it shows", async ({
    stack,
  }) => {
    await cardsOn(stack);
    const [a, bb] = await seedLinkedPlayers(stack, 'bo2', 2);
    const match = stack.faceit.seedMatch({
      competitionType: 'championship',
      factionNames: ['Aurora', 'Boreal'],
      bestOf: 2,
      faction1: [a!.faceitId],
      faction2: [bb!.faceitId],
    });
    await stack.faceit.play(stack.webhook, match.id, ['match_status_configuring', 'match_status_ready']);
    (await waitForCard(stack, match.id, 'ready', (e) => e.description.startsWith('🟢 Ready'))).embed;
    // Both jobs done (a slow configuring job would edit the card after the count starts).
    await jobResult(stack, 'matches', match.id, 'match_status_configuring');
    await jobResult(stack, 'matches', match.id, 'match_status_ready');

    // Map 1 ends 13–9: its demo comes, the card gets its line, edited once.
    stack.faceit.finishMap(match.id, { winner: 'faction1', score: { faction1: 13, faction2: 9 } });
    let edits = cardEdits(stack);
    const [demo1] = await stack.faceit.play(stack.webhook, match.id, ['match_demo_ready']);
    expect(demo1?.status).toBe(202);
    expect(demo1?.envelope.payload.demo_url).toMatch(new RegExp(`${match.id}-1-1\\.dem\\.zst$`));
    expect(await jobResult(stack, 'matches', match.id, 'match_demo_ready')).toMatchObject({
      status: 'drawn',
      map: 1,
    });
    const one = (await waitForCard(stack, match.id, 'map 1', (e) => field(e, 'Maps') !== undefined)).embed;
    expect(field(one, 'Maps')).toMatch(/^Map 1 · \w+ · Aurora 13–9$/);
    expect(cardEdits(stack) - edits).toBe(1);

    // FACEIT again about map 1, at a later version (so not a duplicate job): the card shows it, no edit.
    stack.faceit.setStatus(match.id, 'CONFIGURING');
    edits = cardEdits(stack);
    await stack.faceit.play(stack.webhook, match.id, ['match_demo_ready'], { buildOptions: { map: 1 } });
    expect(await jobResult(stack, 'matches', match.id, 'match_demo_ready')).toMatchObject({
      status: 'drawn',
    });
    expect(cardEdits(stack) - edits).toBe(0);

    // Map 2 ends 16–14 for Boreal and the series 1–1: FACEIT's finish, then map 2's demo after it.
    stack.faceit.setStatus(match.id, 'READY');
    stack.faceit.finishMap(match.id, { winner: 'faction2', score: { faction1: 14, faction2: 16 } });
    stack.faceit.setStatus(match.id, 'FINISHED');
    await stack.faceit.play(stack.webhook, match.id, ['match_status_finished'], { applyStatus: false });
    await waitForNoChannels(stack, match.id);
    const done = (await waitForCard(stack, match.id, 'finished', (e) => e.description.startsWith('🏁')))
      .embed;
    expect(done.description).toBe('🏁 Finished: **Aurora** 1–1 **Boreal**');
    expect(field(done, 'Maps')?.split('\n')).toEqual([
      expect.stringMatching(/^Map 1 · \w+ · Aurora 13–9$/),
      expect.stringMatching(/^Map 2 · \w+ · Boreal 16–14$/),
    ]);
    const afterFinish = cardEdits(stack);
    await stack.faceit.play(stack.webhook, match.id, ['match_demo_ready']);
    await jobResult(stack, 'matches', match.id, 'match_demo_ready');
    // The map-1 redelivery and the late map-2 demo changed nothing; the finish was one edit (plus ready's).
    expect(cardEdits(stack)).toBe(afterFinish);
    expect(cardsOf(stack, match.id)).toHaveLength(1);
    expect(await failedJobs(stack)).toBe(0);
  });
});

describe('the captured championship room, end to end on the emulator clock', () => {
  test('scheduled 9 days ahead, a swapped roster, a forfeit, the restart, re-configures, a demo per map, the copied finish', async ({
    stack,
  }) => {
    await cardsOn(stack);
    const linked = await seedLinkedPlayers(stack, 'tl', 6);
    const general = stack.guild.channels.General!;
    for (const p of linked) stack.discord.setVoice(stack.guildId, p.discordId, general);
    const more = (tag: string, n: number) =>
      Array.from({ length: n }, (_, i) => stack.faceit.seedPlayer({ nickname: `${tag}${i}` }).id);
    // faction1: three linked players in the lineup, the fourth linked one on the bench (swapped in at
    // configuring for the fifth); faction2: two linked players.
    const [l0, l1, l2, l3, l4, l5] = linked.map((p) => p!);
    const f1 = [l0!.faceitId, l1!.faceitId, l2!.faceitId, ...more('tlx', 2)];
    const f2 = [l4!.faceitId, l5!.faceitId, ...more('tly', 3)];
    const match = stack.faceit.seedMatch({
      competitionType: 'championship',
      factionNames: ['Ossi', 'Produal'],
      bestOf: 2,
      status: 'SCHEDULED',
      faction1: f1,
      faction2: f2,
      substitutes: {
        faction1: [{ player: l3!.faceitId }],
        faction2: more('tlz', 2).map((player) => ({ player })),
      },
    });
    const step = (until: string) => stack.faceit.playTimeline(stack.webhook, match.id, { until });
    const state = async () =>
      (
        await stack.supabase.query<{ status: string; reopens: number }>(
          'select status, reopens from match_states where match_id = $1',
          [match.id],
        )
      )[0];
    const sweep = async (id: string) =>
      withQueue(stack, 'maintenance', async (q) => {
        await q.add('sweep', { reason: 'test' }, { jobId: id });
        await waitFor(async () => (await q.getJob(id))?.isCompleted(), { what: id, timeoutMs: 60_000 });
      });
    const allowed = (id: string) =>
      matchChannels(stack, match.id)
        .find((c) => c.name.endsWith('faction1'))
        ?.permissionOverwrites.some((o) => o.id === id);

    // Created days ahead: no channels; the sweep keeps it though its record is 9 days old.
    await step('created');
    expect(await jobResult(stack, 'matches', match.id, 'match_object_created')).toMatchObject({
      status: 'scheduled',
    });
    expect(matchChannels(stack, match.id)).toHaveLength(0);
    await stack.supabase.query(
      `update match_states set created_at = now() - interval '9 days' where match_id = $1`,
      [match.id],
    );
    await sweep('sweep-timeline-1');
    expect(await state()).toMatchObject({ status: 'active' });

    // Configured 8 days 22 hours later, with the roster as it is then: the bench player is in, the fifth out.
    await step('configuring');
    await waitForChannels(stack, match.id);
    expect(allowed(l3!.discordId)).toBe(true);
    await step('ready');
    await stack.discord.waitForState(
      stack.guildId,
      (s) => {
        const ids = matchChannels(stack, match.id).map((c) => c.id);
        return [l0, l3, l4].every((p) => ids.includes(s.voiceStates[p!.discordId] ?? '')) ? true : undefined;
      },
      60_000,
    );
    (await waitForCard(stack, match.id, 'ready', (e) => e.description.startsWith('🟢 Ready'))).embed;

    // Five minutes later a forfeit: channels gone, the card says so.
    await step('forfeit');
    await waitForNoChannels(stack, match.id);
    (await waitForCard(stack, match.id, 'forfeit', (e) => e.description.startsWith('🏳️ Forfeit'))).embed;

    // FACEIT restarts the room: channels again, players moved again, the same card back to configuring.
    await step('restart');
    await waitForChannels(stack, match.id);
    expect(await state()).toMatchObject({ status: 'active', reopens: 1 });
    (await waitForCard(stack, match.id, 'back to configuring', (e) => e.description.startsWith('🟡'))).embed;
    await stack.discord.waitForState(
      stack.guildId,
      (s) => {
        const ids = matchChannels(stack, match.id).map((c) => c.id);
        return ids.includes(s.voiceStates[l0!.discordId] ?? '') ? true : undefined;
      },
      60_000,
    );

    // Re-configures (faction2 swaps players), map 1 played, map 2 configures; map 1's demo adds its line.
    await step('map-1-demo');
    (
      await waitForCard(stack, match.id, 'map 1', (e) =>
        /^Map 1 · \w+ · Ossi 13–9/.test(field(e, 'Maps') ?? ''),
      )
    ).embed;
    // Map 2 played; its demo comes with FACEIT reporting the match finished; then the copied finish.
    await step('map-2-demo');
    (await waitForCard(stack, match.id, 'map 2', (e) => (field(e, 'Maps') ?? '').includes('Map 2'))).embed;
    const last = await step('finish-copy');
    expect(last.map((d) => d.step)).toEqual(['finish-copy']);
    await waitForNoChannels(stack, match.id);
    const done = (await waitForCard(stack, match.id, 'finished', (e) => e.description.startsWith('🏁')))
      .embed;
    // Not a forfeit (FACEIT has the replay's start), the series 1–1 with both maps.
    expect(done.description).toBe('🏁 Finished: **Ossi** 1–1 **Produal**');
    expect(field(done, 'Maps')?.split('\n')).toEqual([
      expect.stringMatching(/^Map 1 · \w+ · Ossi 13–9$/),
      expect.stringMatching(/^Map 2 · \w+ · Produal 16–14$/),
    ]);
    expect(await state()).toMatchObject({ status: 'ended', reopens: 1 });
    expect(cardsOf(stack, match.id)).toHaveLength(1);
    expect(await failedJobs(stack)).toBe(0);
  });
});
