import { describe, expect, it } from 'vitest';
import {
  channelPermissions,
  guildPermissions,
  missingPermissions,
  NEEDED_IN_CATEGORY,
  type OverwriteBits,
  PERM,
  type PermissionWorld,
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
      ['View Channel', 'Connect', 'Speak', 'Move Members', 'Manage Channels', 'Manage Roles'],
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
