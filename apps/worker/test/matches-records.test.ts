import { cardMarker } from '@bridge/core';
import type { Stack } from '@bridge/testbed';
import { describe, expect } from 'vitest';
import {
  cardsOn,
  cardsStack,
  failedJobs,
  jobResult,
  matchChannels,
  matchRows,
  matchState,
  seedLinkedPlayers,
  stackTest,
  sweepNow,
  waitFor,
  waitForChannels,
  waitForNoChannels,
  workerLogged,
} from './matches-helpers.ts';

// FACEIT as its own records show it (real webhook captures of championship matches, see fixtures/):
// a finish is acted on only when FACEIT confirms it, a match scheduled days ahead gets channels only when
// FACEIT configures it, and a finished match FACEIT restarts gets its channels back.
const test = stackTest(cardsStack());

/** The description of the match's card ('' while it has none). */
function description(stack: Stack, matchId: string): string {
  const card = stack.discord
    .channelMessages(stack.guild.channels['match-cards'] ?? '')
    .find((m) =>
      (m.embeds as { footer?: { text?: string } }[]).some((e) =>
        e.footer?.text?.includes(cardMarker(matchId)),
      ),
    );
  return (card?.embeds[0] as { description?: string } | undefined)?.description ?? '';
}

/** The worker's result of the job made of the last delivered `event` of the match, once it completed. */
describe('a finish is acted on only when FACEIT confirms it', () => {
  test('a forged finish for a live match leaves its channels; the sweep ends the match once FACEIT does', async ({
    stack,
  }) => {
    await cardsOn(stack);
    const [a, bb] = await seedLinkedPlayers(stack, 'forged', 2);
    const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [bb!.faceitId] });
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await waitForChannels(stack, match.id);
    const channels = matchChannels(stack, match.id).map((c) => c.id);
    await waitFor(() => description(stack, match.id).startsWith('🟢 Ready'), {
      what: 'card ready',
      timeoutMs: 60_000,
    });

    // Someone with the webhook secret (or a replayed delivery) says the match finished; FACEIT says READY.
    const forged = stack.faceit.buildWebhook(match.id, 'match_status_finished');
    expect((await stack.faceit.deliver(stack.webhook, forged)).status).toBe(202);
    expect(await jobResult(stack, 'cleanup', match.id, 'match_status_finished')).toMatchObject({
      status: 'unconfirmed',
      faceitStatus: 'READY',
    });
    expect(matchChannels(stack, match.id).map((c) => c.id)).toEqual(channels);
    expect(await matchState(stack, match.id)).toMatchObject({ status: 'active' });
    expect(description(stack, match.id)).toMatch(/^🟢 Ready/);
    expect(
      await workerLogged(
        stack,
        (l) => l.eventId === forged.event_id && String(l.msg).startsWith('finish not confirmed by FACEIT'),
      ),
    ).toBe(true);

    // A sweep while FACEIT still runs it keeps it; once FACEIT reports it finished, the sweep ends it.
    await sweepNow(stack);
    expect(matchChannels(stack, match.id).map((c) => c.id)).toEqual(channels);
    stack.faceit.setStatus(match.id, 'FINISHED');
    await sweepNow(stack);
    await waitForNoChannels(stack, match.id);
    expect(await matchState(stack, match.id)).toMatchObject({ status: 'ended', ended_reason: 'sweep-ended' });
    // The card shows the end FACEIT reported, with its score.
    await waitFor(() => description(stack, match.id).startsWith('🏁 Finished'), {
      what: 'the card finished by the sweep',
      timeoutMs: 60_000,
    });
    expect(await failedJobs(stack)).toBe(0);
  });

  for (const outage of [
    { name: '503s', fault: { route: 'data.match', kind: 'status', status: 503 } },
    { name: 'timeouts', fault: { route: 'data.match', kind: 'hang' } },
  ] as const) {
    test(`a Data API outage (${outage.name}) never blocks a real finish`, async ({ stack }) => {
      const [a, bb] = await seedLinkedPlayers(stack, `out${outage.name.slice(0, 3)}`, 2);
      const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [bb!.faceitId] });
      await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
      await waitForChannels(stack, match.id);
      stack.faceit.setStatus(match.id, 'FINISHED');
      stack.faceit.setFault(outage.fault);
      try {
        const [fin] = await stack.faceit.play(stack.webhook, match.id, ['match_status_finished'], {
          applyStatus: false,
        });
        const t0 = Date.now();
        await waitForNoChannels(stack, match.id, 60_000);
        // Bounded by the confirmation budget (5 s), not by FACEIT: measured loosely, the machine is shared.
        expect(Date.now() - t0).toBeLessThan(30_000);
        expect(
          await workerLogged(stack, (l) => l.eventId === fin?.eventId && String(l.msg).startsWith('FACEIT')),
        ).toBe(true);
        expect(await matchState(stack, match.id)).toMatchObject({ status: 'ended' });
      } finally {
        stack.faceit.clearFaults();
      }
    });
  }
});

describe('a championship match scheduled days ahead', () => {
  test('gets no channels until FACEIT configures it, survives the sweep meanwhile, then gets the roster as it is then', async ({
    stack,
  }) => {
    const [a1, a2, swapIn, b1] = await seedLinkedPlayers(stack, 'sched', 4);
    const match = stack.faceit.seedMatch({
      competitionType: 'championship',
      factionNames: ['Ossi', 'Produal'],
      status: 'SCHEDULED',
      faction1: [a1!.faceitId, a2!.faceitId],
      faction2: [b1!.faceitId],
    });
    // match_object_created arrives 6–9 days before configuring; its payload has no teams.
    const [created] = await stack.faceit.play(stack.webhook, match.id, ['match_object_created'], {
      buildOptions: { omitTeams: true },
    });
    expect(created?.status).toBe(202);
    expect(await jobResult(stack, 'matches', match.id, 'match_object_created')).toMatchObject({
      status: 'scheduled',
    });
    expect(matchChannels(stack, match.id)).toHaveLength(0);

    // Nine days pass (the database's record of the match ages with them); the sweep keeps it.
    stack.faceit.advanceTime(9 * 24 * 3_600_000);
    await stack.supabase.query(
      `update match_states set created_at = now() - interval '9 days' where match_id = $1`,
      [match.id],
    );
    await sweepNow(stack);
    expect(await matchState(stack, match.id)).toMatchObject({ status: 'active' });

    // Meanwhile a player was swapped (substitutions: 1); then FACEIT configures the match.
    stack.faceit.setRoster(match.id, 'faction1', [a1!.faceitId, swapIn!.faceitId]);
    await stack.faceit.play(stack.webhook, match.id, ['match_status_configuring']);
    await waitForChannels(stack, match.id);
    const f1 = matchChannels(stack, match.id).find((c) => c.name.endsWith('faction1'))!;
    const allowed = (id: string) => f1.permissionOverwrites.some((o) => o.id === id);
    expect(allowed(swapIn!.discordId)).toBe(true);
    expect(allowed(a2!.discordId)).toBe(false);

    // Live now: the age limit counts from here, so a sweep right away keeps it.
    await sweepNow(stack);
    expect(matchChannels(stack, match.id)).toHaveLength(2);
    expect(await failedJobs(stack)).toBe(0);
  });
});

describe('FACEIT restarts a finished match', () => {
  test('an end seen only through FACEIT is placed at its finish: an event from before it re-opens nothing', async ({
    stack,
  }) => {
    const [a, bb] = await seedLinkedPlayers(stack, 'seen', 2);
    const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [bb!.faceitId] });
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await waitForChannels(stack, match.id);
    // Two events from before the end, delivered only after it (late redeliveries), in version order.
    const older = stack.faceit.buildWebhook(match.id, 'match_status_configuring');
    stack.faceit.setRoster(match.id, 'faction1', [a!.faceitId]); // a change: a newer version
    const newer = stack.faceit.buildWebhook(match.id, 'match_status_configuring');
    expect(newer.payload.version).toBeGreaterThan(older.payload.version);
    // Minutes later (the captures: 5) FACEIT finishes the match; the first news of it is the older late
    // event, which finishes it.
    stack.faceit.advanceTime(5 * 60_000);
    stack.faceit.setStatus(match.id, 'FINISHED');
    expect((await stack.faceit.deliver(stack.webhook, older)).status).toBe(202);
    expect(await jobResult(stack, 'matches', match.id, 'match_status_configuring')).toMatchObject({
      status: 'finished',
    });
    await waitForNoChannels(stack, match.id);
    // FACEIT restarts it minutes later; the other late event (from before the finish) must not re-open it.
    stack.faceit.advanceTime(5 * 60_000);
    stack.faceit.setStatus(match.id, 'CONFIGURING');
    expect((await stack.faceit.deliver(stack.webhook, newer)).status).toBe(202);
    expect(await jobResult(stack, 'matches', match.id, 'match_status_configuring')).toMatchObject({
      status: 'ignored-ended',
    });
    expect(await matchState(stack, match.id)).toMatchObject({ status: 'ended', reopens: 0 });
    // FACEIT's own configuring of the restart does.
    await stack.faceit.play(stack.webhook, match.id, ['match_status_configuring'], { applyStatus: false });
    await waitForChannels(stack, match.id);
    expect(await matchState(stack, match.id)).toMatchObject({ status: 'active', reopens: 1 });
  });

  test('configuring after a forfeit re-opens it: new channels, players moved again, the card back to live', async ({
    stack,
  }) => {
    await cardsOn(stack);
    const [a, bb] = await seedLinkedPlayers(stack, 'restart', 2);
    const general = stack.guild.channels.General!;
    for (const p of [a, bb]) stack.discord.setVoice(stack.guildId, p!.discordId, general);
    const match = stack.faceit.seedMatch({
      competitionType: 'championship',
      faction1: [a!.faceitId],
      faction2: [bb!.faceitId],
    });
    await stack.faceit.play(stack.webhook, match.id, ['match_status_configuring', 'match_status_ready']);
    await waitForChannels(stack, match.id);
    const first = matchChannels(stack, match.id).map((c) => c.id);
    await stack.discord.waitForState(
      stack.guildId,
      (s) => (first.includes(s.voiceStates[a!.discordId] ?? '') ? true : undefined),
      60_000,
    );
    const cards = () =>
      stack.discord
        .channelMessages(stack.guild.channels['match-cards'] ?? '')
        .filter((m) =>
          (m.embeds as { footer?: { text?: string } }[]).some((e) =>
            e.footer?.text?.includes(cardMarker(match.id)),
          ),
        );
    const description = () =>
      (cards()[0]?.embeds[0] as { description?: string } | undefined)?.description ?? '';
    await waitFor(() => description().startsWith('🟢 Ready'), { what: 'the card ready', timeoutMs: 60_000 });
    // An event from before the end, built now and delivered only after it (a late redelivery).
    const late = stack.faceit.buildWebhook(match.id, 'match_status_configuring');

    // Five minutes after ready, the forfeit (as in the captures).
    stack.faceit.advanceTime(5 * 60_000);
    await stack.faceit.play(stack.webhook, match.id, ['match_status_finished']);
    await waitForNoChannels(stack, match.id);
    expect(stack.discord.state(stack.guildId).voiceStates[a!.discordId]).toBe(stack.guild.channels.Lobby);
    await waitFor(() => description().startsWith('🏁'), { what: 'the card finished', timeoutMs: 60_000 });

    // FACEIT restarts the room five minutes later; the late configuring from before the end arrives first:
    // nothing re-opens.
    stack.faceit.advanceTime(5 * 60_000);
    stack.faceit.setStatus(match.id, 'CONFIGURING');
    expect((await stack.faceit.deliver(stack.webhook, late)).status).toBe(202);
    expect(await jobResult(stack, 'matches', match.id, 'match_status_configuring')).toMatchObject({
      status: 'ignored-ended',
    });
    expect(matchChannels(stack, match.id)).toHaveLength(0);

    // FACEIT's own configuring of the restart (newer than the end): channels again, players moved again.
    await stack.faceit.play(stack.webhook, match.id, ['match_status_configuring'], { applyStatus: false });
    await waitForChannels(stack, match.id);
    const second = matchChannels(stack, match.id).map((c) => c.id);
    expect(second.some((id) => first.includes(id))).toBe(false);
    await stack.discord.waitForState(
      stack.guildId,
      (s) =>
        second.includes(s.voiceStates[a!.discordId] ?? '') &&
        second.includes(s.voiceStates[bb!.discordId] ?? '')
          ? true
          : undefined,
      60_000,
    );
    expect(await matchState(stack, match.id)).toMatchObject({ status: 'active', reopens: 1 });
    await waitFor(() => description().startsWith('🟡 Configuring'), {
      what: 'the same card back to configuring',
      timeoutMs: 60_000,
    });
    expect(cards()).toHaveLength(1);

    // And it ends again, for good.
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready', 'match_status_finished']);
    await waitForNoChannels(stack, match.id);
    await waitFor(() => description().startsWith('🏁'), {
      what: 'the card finished again',
      timeoutMs: 60_000,
    });
    expect(await matchRows(stack, match.id)).toHaveLength(0);
    expect(await failedJobs(stack)).toBe(0);
  });
});
