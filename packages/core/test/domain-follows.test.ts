import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  dataApiMatchSchema,
  type Follow,
  guildsForMatch,
  needsMembership,
  parseFollow,
  routingOf,
} from '../src/index.ts';

const HUB1 = '11111111-1111-4111-8111-111111111111';
const HUB2 = '22222222-2222-4222-8222-222222222222';
const CHAMP = '33333333-3333-4333-8333-333333333333';
const ORG = '44444444-4444-4444-8444-444444444444';
const A = '100000000000000001';
const B = '100000000000000002';
const C = '100000000000000003';
const D = '100000000000000004';

// The world: A follows hub 1; B follows hub 1 and hub 2; C follows members; D follows an organizer.
const follows: Follow[] = [
  { guildId: B, kind: 'hub', targetId: HUB2 },
  { guildId: A, kind: 'hub', targetId: HUB1 },
  { guildId: B, kind: 'hub', targetId: HUB1 },
  { guildId: C, kind: 'members', targetId: '' },
  { guildId: D, kind: 'organizer', targetId: ORG },
];

describe('guildsForMatch: which guilds get a match', () => {
  it.each([
    ['hub 1 match', { competitionType: 'hub', competitionId: HUB1, organizerId: ORG }, [], [A, B, D]],
    ['hub 2 match', { competitionType: 'hub', competitionId: HUB2, organizerId: 'x' }, [], [B]],
    ['hub 2 match, a member of C plays', { competitionType: 'hub', competitionId: HUB2 }, [C], [B, C]],
    [
      'matchmaking, nobody of C',
      { competitionType: 'matchmaking', competitionId: 'mm', organizerId: 'faceit' },
      [],
      [],
    ],
    [
      'matchmaking, a member of C',
      { competitionType: 'matchmaking', competitionId: 'mm', organizerId: 'faceit' },
      [C],
      [C],
    ],
    // membership only counts for guilds that follow members
    ['matchmaking, a member of A', { competitionType: 'matchmaking', organizerId: 'faceit' }, [A], []],
    [
      'upper-case ids from FACEIT still match',
      { competitionType: 'HUB', competitionId: HUB1.toUpperCase() },
      [],
      [A, B],
    ],
    [
      'a championship with a hub id does not go to hub followers',
      { competitionType: 'championship', competitionId: HUB1 },
      [],
      [],
    ],
    ['type unknown (webhook without entity.type): the id decides', { competitionId: HUB1 }, [], [A, B]],
    ['nothing known', {}, [], []],
  ] as const)('%s', (_name, match, members, expected) => {
    expect(guildsForMatch(match, follows, new Set(members))).toEqual(expected);
  });

  it('a guild that follows all gets every match, once, even when other follows also take it', () => {
    const f: Follow[] = [
      { guildId: B, kind: 'all', targetId: '' },
      { guildId: B, kind: 'hub', targetId: HUB1 },
      { guildId: A, kind: 'championship', targetId: CHAMP },
    ];
    expect(guildsForMatch({ competitionType: 'hub', competitionId: HUB1 }, f, new Set())).toEqual([B]);
    expect(guildsForMatch({ competitionType: 'championship', competitionId: CHAMP }, f, new Set())).toEqual([
      A,
      B,
    ]);
  });

  it('asks for membership only when some guild follows members', () => {
    expect(needsMembership(follows)).toBe(true);
    expect(needsMembership(follows.filter((f) => f.kind !== 'members'))).toBe(false);
  });
});

describe('parseFollow: /setup follow input', () => {
  it.each([
    ['hub', HUB1, { ok: true, kind: 'hub', targetId: HUB1 }],
    ['hub', ` ${HUB1.toUpperCase()} `, { ok: true, kind: 'hub', targetId: HUB1 }],
    ['championship', CHAMP, { ok: true, kind: 'championship', targetId: CHAMP }],
    ['organizer', ORG, { ok: true, kind: 'organizer', targetId: ORG }],
    ['organizer', 'faceit', { ok: true, kind: 'organizer', targetId: 'faceit' }],
    ['all', undefined, { ok: true, kind: 'all', targetId: '' }],
    ['members', '', { ok: true, kind: 'members', targetId: '' }],
  ] as const)('%s %s → accepted', (kind, id, expected) => {
    expect(parseFollow(kind, id)).toEqual(expected);
  });

  it.each([
    ['hub', undefined, /hub needs an id/],
    ['hub', 'my-hub', /"my-hub" is not a FACEIT hub id/],
    ['hub', 'faceit', /not a FACEIT hub id/],
    ['championship', '1-11111111-1111-4111-8111-111111111111', /not a FACEIT championship id/],
    ['all', HUB1, /all takes no id/],
    ['members', 'x', /members takes no id/],
    ['team', HUB1, /unknown kind "team"/],
  ] as const)('%s %s → refused', (kind, id, message) => {
    const r = parseFollow(kind, id);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });
});

describe('routingOf: the routing fields of a real Data API match', () => {
  it('reads competition and organizer from the championship sample', () => {
    const raw = JSON.parse(
      readFileSync(
        new URL(
          '../../../fixtures/faceit-samples/data-api-matches-match_id__philicevic_faceit-php.json',
          import.meta.url,
        ),
        'utf8',
      ),
    );
    const routing = routingOf(dataApiMatchSchema.parse(raw));
    expect(routing).toEqual({
      competitionType: 'championship',
      competitionId: 'f6b68cf2-7b6f-4bba-9e07-728662dfb33f',
      organizerId: '08b06cfc-74d0-454b-9a51-feda4b6b18da',
    });
    const f: Follow[] = [
      { guildId: A, kind: 'championship', targetId: 'f6b68cf2-7b6f-4bba-9e07-728662dfb33f' },
      { guildId: B, kind: 'organizer', targetId: '08b06cfc-74d0-454b-9a51-feda4b6b18da' },
      { guildId: C, kind: 'hub', targetId: 'f6b68cf2-7b6f-4bba-9e07-728662dfb33f' },
    ];
    expect(guildsForMatch(routing, f, new Set())).toEqual([A, B]);
  });
});
