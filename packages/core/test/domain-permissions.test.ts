import { describe, expect, it } from 'vitest';
import {
  BOT_ALLOW,
  BOT_PERMISSIONS,
  channelPermissions,
  EVERYONE_DENY,
  guildPermissions,
  INVITE_PERMISSIONS,
  missingAt,
  missingPermissions,
  NEEDED_IN_CATEGORY,
  NEEDED_IN_LOBBY,
  NEEDED_IN_SERVER,
  needsAt,
  type OverwriteBits,
  PERM,
  type PermissionWorld,
  PLAYER_ALLOW,
  SPECTATOR_ALLOW,
  SPECTATOR_DENY,
} from '../src/index.ts';

const G = '100000000000000001';
const BOT = '100000000000000002';
const BOT_ROLE = '100000000000000003';
const OTHER_ROLE = '100000000000000004';
const EVERYONE = PERM.ViewChannel | PERM.Connect | PERM.Speak;
const world = (botRole: bigint, extra: Partial<PermissionWorld> = {}): PermissionWorld => ({
  guildId: G,
  ownerId: '100000000000000009',
  roles: new Map([
    [G, EVERYONE],
    [BOT_ROLE, botRole],
    [OTHER_ROLE, PERM.ManageRoles],
  ]),
  memberRoles: [BOT_ROLE],
  memberId: BOT,
  ...extra,
});
const ow = (id: string, type: 'role' | 'member', allow = 0n, deny = 0n): OverwriteBits => ({
  id,
  type,
  allow,
  deny,
});
const FULL = PERM.MoveMembers | PERM.ManageChannels | PERM.ManageRoles;

describe('guildPermissions', () => {
  it.each([
    ['@everyone and the bot role add up', world(FULL), EVERYONE | FULL],
    ['a role the bot lacks does not count', world(0n), EVERYONE],
    ['Administrator is everything', world(1n << 3n), (1n << 51n) - 1n],
    ['the owner is everything', world(0n, { ownerId: BOT }), (1n << 51n) - 1n],
  ])('%s', (_name, w, expected) => {
    expect(guildPermissions(w)).toBe(expected);
  });
});

describe('channelPermissions and missingPermissions in a category', () => {
  it.each([
    ['a public category: the guild permissions', [], []],
    [
      '@everyone denied View, no bot overwrite: nothing at all',
      [ow(G, 'role', 0n, PERM.ViewChannel)],
      ['View Channel', 'Manage Channels', 'Manage Roles', 'Connect', 'Speak', 'Move Members'],
    ],
    [
      '@everyone denied View, bot role allowed View back',
      [ow(G, 'role', 0n, PERM.ViewChannel), ow(BOT_ROLE, 'role', PERM.ViewChannel)],
      [],
    ],
    ['a role deny of Move Members', [ow(BOT_ROLE, 'role', 0n, PERM.MoveMembers)], ['Move Members']],
    [
      'the member overwrite wins over the role',
      [ow(BOT_ROLE, 'role', 0n, PERM.Connect), ow(BOT, 'member', PERM.Connect)],
      [],
    ],
    [
      '@everyone denied Speak and Connect',
      [ow(G, 'role', 0n, PERM.Connect | PERM.Speak)],
      ['Connect', 'Speak'],
    ],
    [
      'an overwrite of a role the bot does not have changes nothing',
      [ow(OTHER_ROLE, 'role', 0n, PERM.ViewChannel)],
      [],
    ],
  ] as const)('%s', (_name, overwrites, missing) => {
    const perms = channelPermissions(world(FULL), overwrites as readonly OverwriteBits[]);
    expect(missingPermissions(perms, NEEDED_IN_CATEGORY)).toEqual(missing);
  });
});

describe('the permission table (BOT_PERMISSIONS)', () => {
  it('names Set Voice Channel Status as Discord defines it (1 << 48) for the voice status feature', () => {
    expect(PERM.SetVoiceChannelStatus).toBe(281474976710656n);
    expect(needsAt('category', ['voice status']).map((n) => n.name)).toEqual(['Set Voice Channel Status']);
  });

  // Discord refuses a new channel whose overwrites allow or deny a bit the bot lacks in the server: every bit
  // a team channel's overwrites can carry must be a server-level need of the feature that puts it there.
  it('holds at server level every bit the match channel overwrites allow or deny', () => {
    const core = PLAYER_ALLOW | EVERYONE_DENY | BOT_ALLOW | SPECTATOR_ALLOW | SPECTATOR_DENY;
    expect(core & ~NEEDED_IN_SERVER).toBe(0n);
    expect(NEEDED_IN_SERVER & PERM.ManageRoles).toBe(PERM.ManageRoles);
    expect(needsAt('server', ['voice activity']).map((n) => n.bit)).toEqual([PERM.UseVAD]);
  });

  it('asks the invite for every permission of every feature, and nothing else', () => {
    const expected = [4, 10, 11, 14, 16, 20, 21, 24, 25, 27, 28, 48].reduce(
      (a, b) => a | (1n << BigInt(b)),
      0n,
    );
    expect(INVITE_PERMISSIONS).toBe(expected);
    expect(new Set(BOT_PERMISSIONS.map((n) => n.feature))).toEqual(
      new Set([
        'match channels',
        'moves',
        'voice activity',
        'voice status',
        'match cards',
        'level roles',
        'nicknames',
      ]),
    );
    expect(NEEDED_IN_LOBBY).toBe(PERM.ViewChannel | PERM.Connect | PERM.MoveMembers);
    expect(NEEDED_IN_CATEGORY & (PERM.UseVAD | PERM.SetVoiceChannelStatus)).toBe(0n);
  });

  it.each([
    ['server', 0n, ['View Channel', 'Manage Channels', 'Manage Roles', 'Connect', 'Speak', 'Move Members']],
    [
      'category',
      PERM.ViewChannel | PERM.Connect,
      ['Manage Channels', 'Manage Permissions', 'Speak', 'Move Members'],
    ],
    ['lobby', PERM.ViewChannel, ['Connect', 'Move Members']],
    ['category', 1n << 3n, []],
  ] as const)('missing at %s with %s: %j (a channel says Manage Permissions)', (place, have, names) => {
    expect(missingAt(have, place)).toEqual(names);
  });

  it('lists an optional feature only when asked for it', () => {
    const all = NEEDED_IN_SERVER | NEEDED_IN_CATEGORY;
    expect(missingAt(all, 'category')).toEqual([]);
    expect(missingAt(all, 'category', ['voice activity', 'voice status'])).toEqual([
      'Use Voice Activity',
      'Set Voice Channel Status',
    ]);
    expect(missingAt(all, 'card channel', ['match cards'])).toEqual([
      'Send Messages',
      'Embed Links',
      'Read Message History',
    ]);
  });
});
