import { describe, expect, it } from 'vitest';
import {
  BOT_ALLOW,
  channelName,
  channelNamePattern,
  EVERYONE_DENY,
  isBridgeCreated,
  PLAYER_ALLOW,
  planChannels,
  rostersMissing,
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
    { staff: 'STAFF', f1: [], expected: ['G', 'BOT', 'STAFF'] },
    { staff: undefined, f1: ['fx', 'fy'], expected: ['G', 'BOT'] },
  ])('overwrite ids for staff=$staff roster=$f1', ({ staff, f1, expected }) => {
    const [p1] = planChannels(match(f1, ['fb']), { ...ctx, staffRoleId: staff });
    expect(p1?.overwrites.map((o) => o.id)).toEqual(expected);
  });

  it.each([
    [[], [], true],
    [['fa'], [], true],
    [[], ['fb'], true],
    [['fa'], ['fb'], false],
  ])('rostersMissing(%j, %j) = %s', (f1, f2, missing) => {
    expect(rostersMissing(match(f1, f2))).toBe(missing);
  });

  it('treats absent teams as missing rosters', () => {
    expect(rostersMissing({ match_id: '1-x' })).toBe(true);
    expect(rostersMissing({ match_id: '1-x', teams: null })).toBe(true);
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
