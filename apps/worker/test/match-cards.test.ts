import { cardMarker, shortId } from '@bridge/core';
import { type Stack, waitFor } from '@bridge/testbed';
import { stackTest } from '@bridge/testbed/fixtures';
import { PermissionFlagsBits as F } from 'discord.js';
import { describe, expect } from 'vitest';
import {
  type CardEmbed,
  cardsOf,
  cardsStack,
  seedLinkedPlayers,
  setupCards,
  waitForCard,
  waitForChannels,
  waitForNoChannels,
} from './matches-helpers.ts';

// The live match card and the team channels' voice status, end to end: /setup cards through discord.js,
// the card through the real worker against the emulator, ELO through the FACEIT emulator's Data API.
const test = stackTest(
  cardsStack([
    { name: 'announcements', type: 'text', overwrites: [{ to: '@bot', deny: String(F.SendMessages) }] },
  ]),
);

const cardsChannel = (stack: Stack) => stack.guild.channels['match-cards'] ?? '';
const text = (e: CardEmbed) =>
  [e.title, e.description, ...e.fields.map((f) => `${f.name}: ${f.value}`)].join('\n');

describe('match cards and voice channel status, end to end', () => {
  test('/setup cards refuses a voice channel and a channel the bot cannot send in, changing nothing', async ({
    stack,
  }) => {
    const stored = async () =>
      (
        await stack.supabase.query('select cards_channel_id from guild_settings where guild_id = $1', [
          stack.guildId,
        ])
      )[0]?.cards_channel_id ?? null;
    expect(await setupCards(stack, { channel: stack.guild.channels.Lobby ?? '' })).toMatch(
      /is not a text channel of this server: pick a text channel\. Nothing was changed\./,
    );
    expect(await setupCards(stack, { channel: stack.guild.channels.announcements ?? '' })).toMatch(
      /cannot post cards in <#\d+>: give the bot role Send Messages there\. Nothing was changed\./,
    );
    expect(await stored()).toBeNull();
    expect(await setupCards(stack, { channel: cardsChannel(stack), off: true })).toMatch(
      /not both\. Nothing was changed\./,
    );
    expect(await stored()).toBeNull();
    expect(await setupCards(stack, { channel: cardsChannel(stack) })).toMatch(/Match cards go to/);
    expect(await stored()).toBe(cardsChannel(stack));
    expect(await setupCards(stack, { off: true })).toMatch(/Match cards are off/);
    expect(await stored()).toBeNull();
  });

  test('one card, edited in place: configuring → ready (map, voice status) → late joiner → finished (score, ELO)', async ({
    stack,
  }) => {
    await setupCards(stack, { channel: cardsChannel(stack) });
    const [a, late] = await seedLinkedPlayers(stack, 'card', 2);
    const stranger = stack.faceit.seedPlayer({ nickname: 'card_stranger', skillLevel: 6 });
    const match = stack.faceit.seedMatch({
      faction1: [a!.faceitId, stranger.id],
      faction2: [late!.faceitId],
    });
    const map = match.map;
    stack.discord.setVoice(stack.guildId, a!.discordId, stack.guild.channels.General!);
    const eloBefore = new Map(stack.faceit.players().map((p) => [p.id, p.elo]));

    await stack.faceit.play(stack.webhook, match.id, ['match_object_created', 'match_status_configuring']);
    await waitForChannels(stack, match.id);
    const first = await waitForCard(stack, match.id, 'configuring', (e) =>
      e.description.startsWith('🟡 Configuring'),
    );
    expect(first.embed.title).toBe(match.competitionName);
    expect(text(first.embed)).toContain(`<@${a!.discordId}>`);
    expect(text(first.embed)).toContain('card\\_stranger'); // unlinked: by nickname
    expect(text(first.embed)).toContain('`L6`');
    expect(text(first.embed)).toContain(`Not in voice yet: <@${late!.discordId}>`);
    expect(first.card?.components).toEqual([
      {
        type: 1,
        components: [
          { type: 2, style: 5, label: 'FACEIT room', url: `https://www.faceit.com/en/cs2/room/${match.id}` },
        ],
      },
    ]);

    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    const ready = await waitForCard(stack, match.id, 'ready', (e) => e.description === `🟢 Ready · ${map}`);
    expect(ready.card?.id).toBe(first.card?.id);
    const short = shortId(match.id);
    const teamChannels = await stack.discord.waitForState(
      stack.guildId,
      (s) => {
        const team = s.channels.filter((c) => c.name.startsWith(`match-${short}-`));
        return team.length === 2 && team.every((c) => c.status === `${map} · live`) ? team : undefined;
      },
      90_000,
    );
    // The status is the channel's status line, never a rename.
    expect(teamChannels.map((c) => c.name).sort()).toEqual([
      `match-${short}-faction1`,
      `match-${short}-faction2`,
    ]);
    for (const c of teamChannels) expect(text(ready.embed)).toContain(`<#${c.id}>`);

    // The late joiner connects, is moved in, and leaves the "not in voice yet" list.
    stack.discord.setVoice(stack.guildId, late!.discordId, stack.guild.channels.General!);
    const joined = await waitForCard(
      stack,
      match.id,
      'late joiner',
      (e) => !text(e).includes('Not in voice yet'),
    );
    expect(joined.card?.id).toBe(first.card?.id);

    stack.faceit.setStatus(match.id, 'FINISHED', {
      winner: 'faction2',
      score: { faction1: 11, faction2: 13 },
    });
    await stack.faceit.play(stack.webhook, match.id, ['match_status_finished'], { applyStatus: false });
    await waitForNoChannels(stack, match.id);
    const done = await waitForCard(stack, match.id, 'finished', (e) =>
      e.description.startsWith('🏁 Finished'),
    );
    expect(done.card?.id).toBe(first.card?.id);
    expect(done.embed.description).toBe(
      `🏁 Finished · ${map}: **${match.factions.faction2.name}** wins 13–11`,
    );
    const after = new Map(stack.faceit.players().map((p) => [p.id, p.elo]));
    expect(after.get(late!.faceitId)! - eloBefore.get(late!.faceitId)!).toBe(25);
    expect(text(done.embed)).toContain(`<@${late!.discordId}> (+25 ELO)`);
    expect(text(done.embed)).toContain(`<@${a!.discordId}> (−25 ELO)`);
    // Cleared before the channels went.
    for (const c of teamChannels) expect(stack.discord.voiceStatusHistory(c.id).at(-1)).toBe('');
  });

  test('a cancel marks the card with the reason', async ({ stack }) => {
    await setupCards(stack, { channel: cardsChannel(stack) });
    const [a] = await seedLinkedPlayers(stack, 'cancel', 1);
    const match = stack.faceit.seedMatch({
      faction1: [a!.faceitId],
      faction2: [stack.faceit.seedPlayer({ nickname: 'cancel_x' }).id],
    });
    await stack.faceit.play(stack.webhook, match.id, ['match_status_configuring']);
    const first = await waitForCard(stack, match.id, 'configuring', (e) => e.description.startsWith('🟡'));
    await waitForChannels(stack, match.id);
    await stack.faceit.play(stack.webhook, match.id, ['match_status_cancelled']);
    const cancelled = await waitForCard(stack, match.id, 'cancelled', (e) =>
      e.description.startsWith('⚪ Cancelled'),
    );
    expect(cancelled.card?.id).toBe(first.card?.id);
    expect(cancelled.embed.description).toBe('⚪ Cancelled: by an admin (MANUAL)');
  });

  test('a crash between posting and storing the id: the retry adopts the posted card, no second one', async ({
    stack,
  }) => {
    await setupCards(stack, { channel: cardsChannel(stack) });
    const [a] = await seedLinkedPlayers(stack, 'crash', 1);
    const match = stack.faceit.seedMatch({
      faction1: [a!.faceitId],
      faction2: [stack.faceit.seedPlayer({ nickname: 'crash_x' }).id],
    });
    // What a worker that died right after posting leaves: the card's row without a message id, and the card.
    await stack.supabase.query(`insert into match_states (match_id) values ($1)`, [match.id]);
    await stack.supabase.query(
      `insert into match_cards (match_id, guild_id, channel_id) values ($1, $2, $3)`,
      [match.id, stack.guildId, cardsChannel(stack)],
    );
    const res = await fetch(`${stack.discord.apiUrl}/v10/channels/${cardsChannel(stack)}/messages`, {
      method: 'POST',
      headers: { authorization: `Bot ${stack.discord.botToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        embeds: [{ title: 'posted before the crash', footer: { text: cardMarker(match.id) } }],
      }),
    });
    const posted = (await res.json()) as { id: string };
    await stack.faceit.play(stack.webhook, match.id, ['match_status_configuring']);
    const card = await waitForCard(
      stack,
      match.id,
      'adopted',
      (e) => e.description?.startsWith('🟡') === true,
    );
    expect(card.card?.id).toBe(posted.id);
    // The id is stored after the edit.
    await waitFor(
      async () =>
        (await stack.supabase.query('select message_id from match_cards where match_id = $1', [match.id]))[0]
          ?.message_id === posted.id,
      { what: 'the adopted card’s id stored', timeoutMs: 60_000 },
    );
  });

  test('duplicate webhooks and a worker restart mid-match leave one card', async ({ stack }) => {
    await setupCards(stack, { channel: cardsChannel(stack) });
    const players = await seedLinkedPlayers(stack, 'dup', 2);
    const match = stack.faceit.seedMatch({
      faction1: [players[0]!.faceitId],
      faction2: [players[1]!.faceitId],
    });
    await stack.faceit.play(stack.webhook, match.id, ['match_object_created', 'match_status_configuring'], {
      duplicates: 3,
      duplicateStyle: 'new-ids',
    });
    await waitForCard(stack, match.id, 'configuring', (e) => e.description.startsWith('🟡'));
    // Every worker copy killed outright and a fresh one started: the card is found by its stored id.
    await Promise.all(stack.workers.map((w) => w.kill('SIGKILL')));
    stack.workers.splice(0);
    await stack.startWorker();
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready'], {
      duplicates: 3,
      duplicateStyle: 'new-ids',
    });
    await waitForCard(stack, match.id, 'ready', (e) => e.description.startsWith('🟢 Ready'));
    await stack.faceit.play(stack.webhook, match.id, ['match_status_finished']);
    await waitForCard(stack, match.id, 'finished', (e) => e.description.startsWith('🏁 Finished'));
    expect(cardsOf(stack, match.id)).toHaveLength(1);
  });
});
