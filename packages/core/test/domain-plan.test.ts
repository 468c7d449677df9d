import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BOT_ALLOW,
  channelName,
  channelNamePattern,
  dataApiMatchSchema,
  EVERYONE_DENY,
  faceitIdsOf,
  factionsInPlay,
  isBridgeCreated,
  lineupOf,
  PERM,
  PLAYER_ALLOW,
  planChannels,
  SPECTATOR_ALLOW,
  SPECTATOR_DENY,
  shortId,
} from '../src/index.ts';

const match = (f1: string[], f2: string[]) => ({
  match_id: '1-4bd1a3a5-9f6a-4c2e-8a51-3f2f0c9e1d77',
  teams: {
    faction1: { name: 'team_a', roster: f1.map((player_id) => ({ player_id })) },
    faction2: { name: 'team_b', roster: f2.map((player_id) => ({ player_id })) },
  },
});
const ctx = {
  template: 'match-{short}-{faction}',
  guildId: 'G',
  botUserId: 'BOT',
  staffRoleId: 'STAFF',
  links: new Map([
    ['fa', 'da'],
    ['fb', 'db'],
    ['fc', 'dc'],
  ]),
};

describe('shortId / channelName', () => {
  it.each([
    ['1-4bd1a3a5-9f6a-4c2e-8a51-3f2f0c9e1d77', '4bd1a3a5'],
    ['1-ABCDEF12-0000-0000-0000-000000000000', 'abcdef12'],
    ['4bd1a3a5-9f6a-4c2e-8a51-3f2f0c9e1d77', '4bd1a3a5'],
  ])('%s → %s', (id, short) => expect(shortId(id)).toBe(short));

  it.each([
    ['match-{short}-{faction}', 'faction1', undefined, 'match-4bd1a3a5-faction1'],
    ['{team} ({short}/{faction})', 'faction2', 'Navi', 'Navi (4bd1a3a5/faction2)'],
  ] as const)('%s', (template, faction, team, expected) => {
    expect(channelName(template, '1-4bd1a3a5-9f6a-4c2e-8a51-3f2f0c9e1d77', faction, team)).toBe(expected);
  });

  it.each([
    ['match-4bd1a3a5-faction1', undefined, true],
    ['match-4bd1a3a5-faction3', undefined, false],
    ['match-4bd1a3a5-faction1 ', undefined, false],
    ['xmatch-4bd1a3a5-faction1', undefined, false],
    ['match-4bd1a3a5-faction2', '4bd1a3a5', true],
    ['match-deadbeef-faction2', '4bd1a3a5', false],
  ])('pattern %s (short %s) → %s', (name, short, ok) => {
    expect(channelNamePattern('match-{short}-{faction}', short).test(name)).toBe(ok);
  });
});

describe('planChannels', () => {
  it('allows linked faction players, staff and the bot; denies @everyone', () => {
    const [p1, p2] = planChannels(match(['fa', 'fx'], ['fb']), ctx);
    expect(p1?.name).toBe('match-4bd1a3a5-faction1');
    expect(p1?.memberIds).toEqual(['da']);
    expect(p2?.memberIds).toEqual(['db']);
    expect(p1?.overwrites).toEqual([
      { id: 'G', type: 'role', allow: 0n, deny: EVERYONE_DENY },
      { id: 'BOT', type: 'member', allow: BOT_ALLOW, deny: 0n },
      { id: 'STAFF', type: 'role', allow: PLAYER_ALLOW, deny: 0n },
      { id: 'da', type: 'member', allow: PLAYER_ALLOW, deny: 0n },
    ]);
  });

  it.each([
    { staff: undefined, f1: ['fa', 'fc'], expected: ['G', 'BOT', 'da', 'dc'] },
    { staff: 'STAFF', f1: ['fx'], expected: ['G', 'BOT', 'STAFF'] },
    { staff: undefined, f1: ['fx', 'fy'], expected: ['G', 'BOT'] },
  ])('overwrite ids for staff=$staff roster=$f1', ({ staff, f1, expected }) => {
    const [p1] = planChannels(match(f1, ['fb']), { ...ctx, staffRoleId: staff });
    expect(p1?.overwrites.map((o) => o.id)).toEqual(expected);
  });

  it.each([
    { spectator: undefined, staff: 'STAFF', expected: undefined },
    { spectator: 'SPEC', staff: 'STAFF', expected: { allow: SPECTATOR_ALLOW, deny: SPECTATOR_DENY } },
    // One role cannot be both: staff (may speak) wins.
    { spectator: 'STAFF', staff: 'STAFF', expected: undefined },
  ])(
    'spectator role $spectator (staff $staff): may join and listen, not speak',
    ({ spectator, staff, expected }) => {
      const [p1] = planChannels(match(['fa'], ['fb']), {
        ...ctx,
        staffRoleId: staff,
        spectatorRoleId: spectator,
      });
      const spec = p1?.overwrites.find((o) => o.id === 'SPEC');
      expect(spec && { allow: spec.allow, deny: spec.deny }).toEqual(expected);
      expect(p1?.overwrites.filter((o) => o.id === 'STAFF')).toEqual([
        { id: 'STAFF', type: 'role', allow: PLAYER_ALLOW, deny: 0n },
      ]);
      if (expected) {
        expect(expected.allow & PERM.Connect).toBe(PERM.Connect);
        expect(expected.allow & PERM.Speak).toBe(0n);
        expect(expected.deny & PERM.Speak).toBe(PERM.Speak);
      }
    },
  );
});

describe('Use Voice Activity for players', () => {
  it.each([
    [true, PLAYER_ALLOW | PERM.UseVAD],
    [false, PLAYER_ALLOW],
    [undefined, PLAYER_ALLOW],
  ])('the bot holds it: %s → players and staff are allowed %s', (voiceActivity, allow) => {
    const [p1] = planChannels(match(['fa'], ['fb']), { ...ctx, spectatorRoleId: 'SPEC', voiceActivity });
    const by = (id: string) => p1?.overwrites.find((o) => o.id === id);
    expect(by('da')?.allow).toBe(allow);
    expect(by('STAFF')?.allow).toBe(allow);
    // Spectators listen: nothing to detect; the bot's own overwrite is the bridge's marker, unchanged.
    expect(by('SPEC')).toMatchObject({ allow: SPECTATOR_ALLOW, deny: SPECTATOR_DENY });
    expect(by('BOT')?.allow).toBe(BOT_ALLOW);
  });
});

describe('substitutes, bye teams and what FACEIT really sends', () => {
  const F1 = '21c6e887-daa4-4649-b781-189adb3e744d';
  const withSubs = {
    match_id: '1-4bd1a3a5-9f6a-4c2e-8a51-3f2f0c9e1d77',
    teams: {
      faction1: { faction_id: F1, name: 'team_a', roster: [{ player_id: 'fa' }] },
      faction2: {
        faction_id: 'T2',
        name: 'team_b',
        roster: [{ player_id: 'fb' }],
        substitutes: [
          { player_id: 'fc', playing: true },
          { player_id: 'fd' },
          { player_id: 'fe', playing: false },
        ],
      },
    },
  };
  const links = new Map([...ctx.links, ['fd', 'dd'], ['fe', 'de']]);

  it('a playing substitute is a player (admitted and moved); the bench is admitted, not moved', () => {
    const [, p2] = planChannels(withSubs, { ...ctx, links });
    expect(p2?.rosterFaceitIds).toEqual(['fb', 'fc']);
    expect(p2?.moveIds).toEqual(['db', 'dc']);
    expect(p2?.memberIds).toEqual(['db', 'dc', 'dd', 'de']);
    expect(p2?.overwrites.filter((o) => o.type === 'member').map((o) => o.id)).toEqual([
      'BOT',
      'db',
      'dc',
      'dd',
      'de',
    ]);
    expect(lineupOf(withSubs, 'faction2')).toEqual({ players: ['fb', 'fc'], bench: ['fd', 'fe'] });
    expect(faceitIdsOf(withSubs).sort()).toEqual(['fa', 'fb', 'fc', 'fd', 'fe']);
  });

  it.each([
    { name: 'both filled', f1: ['fa'], f2: ['fb'], bye: undefined, expected: ['faction1', 'faction2'] },
    { name: 'faction2 is a bye', f1: ['fa'], f2: [], bye: 'faction2', expected: ['faction1'] },
    { name: 'faction1 is a bye', f1: [], f2: ['fb'], bye: 'faction1', expected: ['faction2'] },
    {
      name: 'a bye team that lists players anyway',
      f1: ['fa'],
      f2: ['fb'],
      bye: 'faction2',
      expected: ['faction1'],
    },
    { name: 'one side not filled yet', f1: ['fa'], f2: [], bye: undefined, expected: ['faction1'] },
    { name: 'nobody on either side', f1: [], f2: [], bye: undefined, expected: [] },
  ] as const)('factions in play: $name', ({ f1, f2, bye, expected }) => {
    const m = match([...f1], [...f2]);
    if (bye) Object.assign(m.teams[bye], { faction_id: 'bye', name: 'bye' });
    expect(factionsInPlay(m)).toEqual(expected);
    expect(planChannels(m, ctx).map((p) => p.faction)).toEqual(expected);
  });

  it('a side with only bench substitutes is not in play', () => {
    const m = match(['fa'], []);
    Object.assign(m.teams.faction2, { substitutes: [{ player_id: 'fb' }] });
    expect(factionsInPlay(m)).toEqual(['faction1']);
  });

  it('treats absent teams as nobody in play', () => {
    expect(factionsInPlay({ match_id: '1-x' })).toEqual([]);
    expect(factionsInPlay(dataApiMatchSchema.parse({ match_id: '1-x', teams: null }))).toEqual([]);
  });

  it('accepts null where FACEIT has been seen sending it, and faction2 listed first', () => {
    const parsed = dataApiMatchSchema.parse({
      match_id: '1-4bd1a3a5-9f6a-4c2e-8a51-3f2f0c9e1d77',
      status: null,
      version: null,
      started_at: null,
      finished_at: null,
      teams: {
        faction2: {
          faction_id: 'T2',
          name: null,
          leader: null,
          co_leader_id: null,
          roster: [{ player_id: 'fb', nickname: null, membership: null, game_player_name: null }],
          substitutes: null,
        },
        faction1: { faction_id: F1, name: 'team_a', leader: 'fa', roster: [{ player_id: 'fa' }] },
      },
    });
    expect(parsed.status).toBeNull();
    const plans = planChannels(parsed, ctx);
    expect(plans.map((p) => [p.faction, p.name, p.moveIds])).toEqual([
      ['faction1', 'match-4bd1a3a5-faction1', ['da']],
      ['faction2', 'match-4bd1a3a5-faction2', ['db']],
    ]);
    expect(
      dataApiMatchSchema.parse({ match_id: '1-x', teams: { faction1: null, faction2: null } }),
    ).toMatchObject({
      teams: { faction1: null, faction2: null },
    });
  });

  it('reads the real championship response: m0o- is a substitute who plays, K3v sits on the bench', () => {
    const real = dataApiMatchSchema.parse(
      JSON.parse(
        readFileSync(
          join(
            import.meta.dirname,
            '../../../fixtures/faceit-samples/data-api-matches-match_id__philicevic_faceit-php.json',
          ),
          'utf8',
        ),
      ),
    );
    const f2 = lineupOf(real, 'faction2');
    expect(f2.players).toHaveLength(6);
    expect(f2.players).toContain('b680aa61-8820-4e4e-8d70-3724eabebc45'); // m0o-, playing: true
    expect(f2.bench).toEqual(['0da5aa57-a897-47c2-b942-d896276ef79e']); // K3v
    expect(lineupOf(real, 'faction1')).toMatchObject({ bench: [] });
    expect(factionsInPlay(real)).toEqual(['faction1', 'faction2']);
  });
});

describe('isBridgeCreated', () => {
  it.each([
    ['bot member with the bridge bits', [{ id: 'BOT', type: 'member', allow: BOT_ALLOW, deny: 0n }], true],
    [
      'bot member with more bits',
      [{ id: 'BOT', type: 'member', allow: BOT_ALLOW | PLAYER_ALLOW, deny: 0n }],
      true,
    ],
    [
      'bot member without Manage Channels',
      [{ id: 'BOT', type: 'member', allow: PLAYER_ALLOW, deny: 0n }],
      false,
    ],
    ['a role with the bot id', [{ id: 'BOT', type: 'role', allow: BOT_ALLOW, deny: 0n }], false],
    ['another member', [{ id: 'OTHER', type: 'member', allow: BOT_ALLOW, deny: 0n }], false],
    ['no overwrites', [], false],
  ] as const)('%s → %s', (_name, ows, expected) => {
    expect(isBridgeCreated([...ows], 'BOT')).toBe(expected);
  });
});
