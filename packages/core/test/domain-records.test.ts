import { describe, expect, it } from 'vitest';
import {
  type CardInput,
  cardAfterBuild,
  cardAtEnd,
  cardText,
  cardWithMap,
  dataApiMatchSchema,
  demoMapOf,
  eventDetailsOf,
  isForfeit,
  mapLineOf,
  renderCard,
} from '../src/index.ts';

// A forfeit, a cancel with its reason and AFK players, a series' maps (fixtures/faceit-samples/modelled__*).
const M = '1-46f7c9ea-b38c-445a-bad9-8a70a603e9e1';
const at = (iso: string) => Date.parse(iso) / 1000;

describe('isForfeit: a finish that was never played', () => {
  it.each([
    ['1970-01-01T00:00:00Z', undefined, true, 'epoch start, FACEIT unreadable'],
    ['1970-01-01T00:00:00Z', null, true, 'epoch start, the Data API has no started_at'],
    [
      '1970-01-01T00:00:00Z',
      at('2026-01-29T18:27:34Z'),
      false,
      'a copy of the forfeit after the replay started',
    ],
    ['2026-01-29T18:27:34Z', null, false, 'a real start'],
    [undefined, null, false, 'no started_at in the payload (an older job)'],
    ['not a time', null, false, 'garbage'],
  ] as [string | undefined, number | null | undefined, boolean, string][])(
    '%s, Data API %s → %s (%s)',
    (payloadStartedAt, faceitStartedAt, expected) => {
      expect(isForfeit({ payloadStartedAt, faceitStartedAt })).toBe(expected);
    },
  );
});

describe('demoMapOf: the map a demo_ready is about', () => {
  const base = 'https://demos-europe-central.backblaze.faceit-cdn.net/cs2';
  it.each([
    [`${base}/${M}-1-2.dem.gz`, { map: 1, instance: 2 }],
    [`${base}/${M}-2-10.dem.gz`, { map: 2, instance: 10 }],
    [`${base}/${M}-1-5.dem.zst`, { map: 1, instance: 5 }],
    [`${base}/${M}-3-1.dem.zst?x=1`, { map: 3, instance: 1 }],
    [`${base}/1-00000000-0000-4000-8000-000000000000-1-1.dem.zst`, null],
    [`${base}/${M}.dem.zst`, null],
    [`${base}/${M}-0-1.dem.zst`, null],
    ['not a url', null],
    [undefined, null],
  ] as const)('%s → %j', (url, expected) => {
    expect(demoMapOf(url, M)).toEqual(expected);
  });
});

describe('eventDetailsOf: what the worker keeps of a payload', () => {
  const id = '2c43617b-239d-471c-bd7a-6d41fbac4c9a';
  it.each([
    ['match_status_cancelled', { reason: 'MANUAL', players: [], afk: [] }, { reason: 'MANUAL', afk: [] }],
    [
      'match_status_cancelled',
      { reason: 'AFK', afk: [id, 'sleepy_nick', { player_id: id, nickname: 'x' }, 42, null] },
      { reason: 'AFK', afk: [{ id }, { nickname: 'sleepy_nick' }, { id, nickname: 'x' }] },
    ],
    ['match_status_aborted', { reason: 'x'.repeat(500), afk: 'nope' }, { reason: 'x'.repeat(100) }],
    ['match_status_finished', { started_at: '1970-01-01T00:00:00Z' }, { startedAt: '1970-01-01T00:00:00Z' }],
    [
      'match_demo_ready',
      { demo_url: `https://d/${M}-1-1.dem.zst` },
      { demoUrl: `https://d/${M}-1-1.dem.zst` },
    ],
    ['match_status_ready', { reason: 'MANUAL', started_at: 'x' }, undefined],
    ['match_status_finished', {}, undefined],
  ] as const)('%s %j → %j', (event, payload, expected) => {
    expect(eventDetailsOf(event, payload)).toEqual(expected);
  });
});

// The card of a BO2 championship match with one linked player (a mention) and an unlinked one.
const card: CardInput = {
  matchId: M,
  stage: 'ready',
  competitionName: 'Sandbox League Div 3',
  map: 'de_nuke',
  teams: [
    {
      faction: 'faction1',
      name: 'Team Aurora',
      players: [{ faceitId: 'fa', nickname: 'aurora_1', discordId: '100000000000000001' }],
    },
    { faction: 'faction2', name: 'Team Boreal', players: [{ faceitId: 'fb', nickname: 'boreal_1' }] },
  ],
  notInVoice: [],
};
const match = (extra: Record<string, unknown>) =>
  dataApiMatchSchema.parse({
    match_id: M,
    best_of: 2,
    voting: { map: { pick: ['de_nuke', 'de_ancient'] } },
    ...extra,
  });
const detailed = (f1: number, f2: number) => ({
  asc_score: false,
  winner: f1 > f2 ? 'faction1' : 'faction2',
  factions: { faction1: { score: f1 }, faction2: { score: f2 } },
});
const lines = (input: CardInput) => cardText(renderCard(input)).join('\n');

describe('the card at the end', () => {
  it('a forfeit: the winner FACEIT awarded, no score, no maps, no ELO note', () => {
    const forfeit = match({
      status: 'FINISHED',
      results: { winner: 'faction2', score: { faction1: 0, faction2: 2 } },
      detailed_results: [detailed(0, 1), detailed(0, 1)],
    });
    const end = cardAtEnd(card, {
      stage: 'finished',
      details: { startedAt: '1970-01-01T00:00:00Z' },
      match: forfeit,
    });
    expect(end).toMatchObject({
      stage: 'finished',
      forfeit: true,
      result: { winner: 'faction2', score: {} },
    });
    expect(end.maps).toBeUndefined();
    const text = lines({ ...end, elo: { skipped: 'x' } });
    expect(renderCard(end).embeds[0]?.description).toBe(
      '🏳️ Forfeit (not played): **Team Boreal** gets the win',
    );
    expect(text).not.toMatch(/0–2|2–0|ELO/);
  });

  it('a cancel: the reason said plainly, the AFK players by the card’s rules (a mention only where it had one)', () => {
    const end = cardAtEnd(card, {
      stage: 'cancelled',
      details: { reason: 'MANUAL', afk: [{ id: 'fa' }, { id: 'fb' }, { nickname: 'ghost_*' }] },
    });
    const msg = renderCard(end);
    expect(msg.embeds[0]?.description).toBe('⚪ Cancelled: by an admin (MANUAL)');
    expect(msg.embeds[0]?.fields.find((f) => f.name === 'AFK')?.value).toBe(
      '<@100000000000000001>, boreal\\_1, ghost\\_\\*',
    );
    expect(renderCard(cardAtEnd(card, { stage: 'aborted' })).embeds[0]?.description).toBe(
      '❌ Aborted: aborted on FACEIT',
    );
  });

  it('a played series: every map with its score, a drawn BO2 as a draw', () => {
    const end = cardAtEnd(card, {
      stage: 'finished',
      details: { startedAt: '2026-03-12T18:44:31Z' },
      match: match({
        status: 'FINISHED',
        started_at: at('2026-03-12T18:44:31Z'),
        results: { winner: 'faction1', score: { faction1: 1, faction2: 1 } },
        detailed_results: [detailed(13, 9), detailed(14, 16)],
      }),
    });
    const msg = renderCard(end);
    expect(msg.embeds[0]?.description).toBe('🏁 Finished: **Team Aurora** 1–1 **Team Boreal**');
    expect(msg.embeds[0]?.fields.find((f) => f.name === 'Maps')?.value).toBe(
      'Map 1 · de_nuke · Team Aurora 13–9\nMap 2 · de_ancient · Team Boreal 16–14',
    );
  });

  it('a copy of a forfeit finish after the replay played is no forfeit (FACEIT has the start)', () => {
    const end = cardAtEnd(card, {
      stage: 'finished',
      details: { startedAt: '1970-01-01T00:00:00Z' },
      match: match({
        status: 'FINISHED',
        started_at: at('2026-01-29T18:27:34Z'),
        results: { winner: 'faction2', score: { faction1: 0, faction2: 2 } },
        detailed_results: [detailed(9, 13), detailed(10, 13)],
      }),
    });
    expect(end.forfeit).toBeUndefined();
    expect(renderCard(end).embeds[0]?.description).toBe('🏁 Finished: **Team Boreal** wins 2–0');
  });

  it('one BO1 map stays in the headline, no maps field', () => {
    const end = cardAtEnd(card, {
      stage: 'finished',
      details: { startedAt: '2026-03-12T18:44:31Z' },
      match: match({
        best_of: 1,
        status: 'FINISHED',
        started_at: at('2026-03-12T18:44:31Z'),
        results: { winner: 'faction1', score: { faction1: 13, faction2: 10 } },
        detailed_results: [detailed(13, 10)],
      }),
    });
    expect(renderCard(end).embeds[0]?.description).toBe('🏁 Finished · de_nuke: **Team Aurora** wins 13–10');
    expect(renderCard(end).embeds[0]?.fields.map((f) => f.name)).toEqual(['Team Aurora', 'Team Boreal']);
  });
});

describe('a map’s line (match_demo_ready)', () => {
  const afterMap1 = match({ status: 'READY', detailed_results: [detailed(13, 9)] });
  it('adds the line with FACEIT’s score and names the next map as the one being played; the same again is no edit', () => {
    const one = cardWithMap(card, 1, afterMap1);
    expect(one?.maps).toEqual([
      { n: 1, map: 'de_nuke', score: { faction1: 13, faction2: 9 }, winner: 'faction1' },
    ]);
    expect(one?.map).toBe('de_ancient');
    expect(cardWithMap(one as CardInput, 1, afterMap1)).toBeNull();
    // Out of order: map 2's demo first, without a score yet, then map 1's.
    const two = cardWithMap(card, 2, match({ status: 'READY' }));
    expect(two?.maps).toEqual([{ n: 2, map: 'de_ancient' }]);
    expect(cardWithMap(two as CardInput, 1, afterMap1)?.maps?.map((m) => m.n)).toEqual([1, 2]);
    expect(lines(two as CardInput)).toContain('Map 2 · de_ancient · played');
  });

  it('a line FACEIT knows less about does not take a score away; a finished card keeps its stage', () => {
    const one = cardWithMap({ ...card, stage: 'finished' }, 1, afterMap1) as CardInput;
    expect(one.stage).toBe('finished');
    expect(one.map).toBe('de_nuke');
    expect(cardWithMap(one, 1, match({ status: 'FINISHED' }))).toBeNull();
    expect(cardWithMap(one, 1, null)).toBeNull();
  });

  it('a build keeps the maps of its cycle, not those of the cycle before a restart', () => {
    const drawn = { ...card, stage: 'configuring' as const, cycle: 0 };
    const one = cardWithMap({ ...card, cycle: 0 }, 1, afterMap1) as CardInput;
    expect(cardAfterBuild(drawn, one, afterMap1)).toMatchObject({ maps: one.maps, map: 'de_ancient' });
    expect(cardAfterBuild({ ...drawn, cycle: 1 }, one, afterMap1).maps).toBeUndefined();
  });

  it('mapLineOf reads the n-th pick and result', () => {
    expect(mapLineOf(afterMap1 as Record<string, unknown>, 2)).toEqual({ n: 2, map: 'de_ancient' });
  });
});
