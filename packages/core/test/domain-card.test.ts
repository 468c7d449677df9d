import { describe, expect, it } from 'vitest';
import {
  type CardInput,
  cardFromMatch,
  cardMarker,
  cardText,
  dataApiMatchSchema,
  eloChanges,
  renderCard,
  stageOf,
  voiceStatusOf,
} from '../src/index.ts';

const MATCH_ID = '1-4bd1a3a5-9f6a-4c2e-8a51-3f2f0c9e1d77';
const player = (id: string, nickname: string, level: number) => ({
  player_id: id,
  nickname,
  game_skill_level: level,
});
const match = (extra: Record<string, unknown> = {}) =>
  dataApiMatchSchema.parse({
    match_id: MATCH_ID,
    status: 'CONFIGURING',
    competition_name: 'Sandbox Hub',
    faceit_url: `https://www.faceit.com/{lang}/cs2/room/${MATCH_ID}`,
    teams: {
      faction1: { name: 'team_alice', roster: [player('fa', 'alice', 7), player('fb', 'b_o_b', 3)] },
      faction2: {
        name: 'team_carol',
        roster: [player('fc', 'carol', 10)],
        substitutes: [{ ...player('fd', 'dave', 2), playing: true }, player('fe', 'bench', 1)],
      },
    },
    ...extra,
  });
const links = new Map([
  ['fa', '100000000000000001'],
  ['fc', '100000000000000003'],
]);
const channels = { faction1: '200000000000000001', faction2: '200000000000000002' };
const text = (input: CardInput) => cardText(renderCard(input)).join('\n');

describe('the match card', () => {
  it('configuring: competition, both teams with levels, mentions for linked players, voice channels, room link', () => {
    const input = cardFromMatch(match(), links, channels, []);
    const msg = renderCard(input);
    expect(msg.embeds[0]?.title).toBe('Sandbox Hub');
    expect(msg.embeds[0]?.description).toBe('🟡 Configuring');
    expect(msg.embeds[0]?.fields).toEqual([
      {
        name: 'team_alice',
        value: '`L7` <@100000000000000001>\n`L3` b\\_o\\_b\n🔊 <#200000000000000001>',
        inline: true,
      },
      {
        // A substitute who plays is on the card; the bench is not.
        name: 'team_carol',
        value: '`L10` <@100000000000000003>\n`L2` dave\n🔊 <#200000000000000002>',
        inline: true,
      },
    ]);
    expect(msg.components).toEqual([
      {
        type: 1,
        components: [
          { type: 2, style: 5, label: 'FACEIT room', url: `https://www.faceit.com/en/cs2/room/${MATCH_ID}` },
        ],
      },
    ]);
    expect(msg.embeds[0]?.footer.text).toBe(cardMarker(MATCH_ID));
  });

  it.each([
    ['VOTING', undefined, '🟡 Configuring'],
    ['CONFIGURING', ['de_mirage'], '🟡 Configuring · de_mirage'],
    ['READY', ['de_mirage'], '🟢 Ready · de_mirage'],
    ['ONGOING', ['de_nuke'], '🔴 Live · de_nuke'],
  ])('status %s with map pick %j → %s', (status, pick, headline) => {
    const input = cardFromMatch(
      match({ status, ...(pick ? { voting: { map: { pick } } } : {}) }),
      links,
      channels,
      [],
    );
    expect(renderCard(input).embeds[0]?.description).toBe(headline);
  });

  it('lists linked players not in voice until they are gone from the list; never on a final card', () => {
    const input = cardFromMatch(match({ status: 'READY' }), links, channels, ['100000000000000003']);
    expect(text(input)).toContain('Not in voice yet: <@100000000000000003>');
    expect(text({ ...input, notInVoice: [] })).not.toContain('Not in voice yet');
    expect(text({ ...input, stage: 'finished' })).not.toContain('Not in voice yet');
  });

  it('lists who is not linked in this server and how they get in, by policy; never on a final card', () => {
    const input = cardFromMatch(match({ status: 'READY' }), links, channels, []);
    const only = { ...input, unlinked: { nicknames: ['b_o_b', 'dave'], policy: 'verified-only' as const } };
    expect(text(only)).toContain(
      'Not linked in this server: b\\_o\\_b, dave: must /link (sign in with FACEIT) to join their team channel: this server does not count nickname links',
    );
    expect(text({ ...only, unlinked: { nicknames: ['dave'], policy: 'nickname-allowed' } })).toContain(
      'Not linked in this server: dave: must /link (or /register) to join their team channel',
    );
    expect(text({ ...only, unlinked: { nicknames: [], policy: 'verified-only' } })).not.toContain(
      'Not linked',
    );
    expect(text({ ...only, stage: 'finished' })).not.toContain('Not linked');
    // A card stored before the list existed renders as before.
    expect(text(input)).not.toContain('Not linked');
  });

  it('finished: winner, score and each linked player’s ELO change', () => {
    const input = cardFromMatch(
      match({
        status: 'FINISHED',
        voting: { map: { pick: ['de_mirage'] } },
        results: { winner: 'faction2', score: { faction1: 10, faction2: 13 } },
      }),
      links,
      channels,
      ['100000000000000003'],
    );
    input.elo = { changes: eloChanges({ fa: 1200, fc: 2100, fb: 700 }, { fa: 1175, fc: 2125 }) };
    const msg = renderCard(input);
    expect(msg.embeds[0]?.description).toBe('🏁 Finished · de_mirage: **team_carol** wins 13–10');
    expect(msg.embeds[0]?.fields.map((f) => f.value.split('\n')[0])).toEqual([
      '`L7` <@100000000000000001> (−25 ELO)',
      '`L10` <@100000000000000003> (+25 ELO)',
    ]);
    expect(text(input)).not.toContain('Not in voice yet');
  });

  it('finished without ELO: says why', () => {
    const input = cardFromMatch(match({ status: 'FINISHED' }), links, channels, []);
    input.elo = { skipped: 'the FACEIT API budget was in use' };
    expect(renderCard(input).embeds[0]?.footer.text).toBe(
      `ELO change not shown: the FACEIT API budget was in use · ${cardMarker(MATCH_ID)}`,
    );
  });

  it.each([
    ['cancelled', '⚪ Cancelled: cancelled on FACEIT'],
    ['aborted', '❌ Aborted: cancelled on FACEIT'],
  ] as const)('%s: marked, with the reason', (stage, headline) => {
    const input = { ...cardFromMatch(match(), links, channels, []), stage, reason: 'cancelled on FACEIT' };
    expect(renderCard(input).embeds[0]?.description).toBe(headline);
  });

  it('stays within Discord’s limits for long names and rosters', () => {
    const many = Array.from({ length: 60 }, (_, i) => player(`p${i}`, 'n'.repeat(40), 5));
    const input = cardFromMatch(
      match({
        competition_name: 'c'.repeat(400),
        teams: { faction1: { name: 't'.repeat(300), roster: many }, faction2: { roster: many } },
      }),
      new Map(),
      {},
      Array.from({ length: 80 }, (_, i) => `1000000000000000${String(i).padStart(2, '0')}`),
    );
    input.unlinked = { nicknames: Array.from({ length: 60 }, () => 'n'.repeat(40)), policy: 'verified-only' };
    const e = renderCard(input).embeds[0];
    expect(e?.fields).toHaveLength(4);
    expect(e?.title.length).toBeLessThanOrEqual(256);
    expect(e?.fields.every((f) => f.name.length <= 256 && f.value.length <= 1024)).toBe(true);
    const total =
      (e?.title.length ?? 0) +
      (e?.description.length ?? 0) +
      (e?.footer.text.length ?? 0) +
      (e?.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
    expect(total).toBeLessThanOrEqual(6000);
  });

  it('renders the same input to the same message (edits are idempotent)', () => {
    const input = cardFromMatch(match({ status: 'READY' }), links, channels, []);
    expect(renderCard(structuredClone(input))).toEqual(renderCard(input));
  });
});

describe('voice channel status', () => {
  it.each([
    [{ stage: 'configuring' }, ''],
    [{ stage: 'configuring', map: 'de_mirage' }, 'de_mirage · configuring'],
    [{ stage: 'ready', map: 'de_mirage' }, 'de_mirage · live'],
    [{ stage: 'live', map: 'de_mirage' }, 'de_mirage · live'],
    [{ stage: 'finished', map: 'de_mirage' }, ''],
    [{ stage: 'cancelled', map: 'de_mirage' }, ''],
  ] as const)('%j → %j', (input, status) => {
    expect(voiceStatusOf(input)).toBe(status);
  });

  it('maps FACEIT statuses to stages', () => {
    expect(
      ['VOTING', 'CONFIGURING', 'READY', 'ONGOING', 'FINISHED', 'CANCELLED', 'ABORTED', null].map(stageOf),
    ).toEqual([
      'configuring',
      'configuring',
      'ready',
      'live',
      'finished',
      'cancelled',
      'aborted',
      'configuring',
    ]);
  });
});
