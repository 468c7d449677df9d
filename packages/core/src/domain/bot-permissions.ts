import { PERM } from './channel-plan.ts';

/**
 * What the bot needs and where, and Discord's permission computation (guild roles, then the channel's
 * @everyone, role and member overwrites; Administrator and the owner get everything; a channel without
 * View Channel grants nothing). Used by the start-up checks, before any gateway session is opened.
 */
export const ADMINISTRATOR = 1n << 3n;
const ALL = (1n << 51n) - 1n;

export const PERMISSION_NAMES: ReadonlyArray<readonly [bigint, string]> = [
  [PERM.ViewChannel, 'View Channel'],
  [PERM.Connect, 'Connect'],
  [PERM.Speak, 'Speak'],
  [PERM.MoveMembers, 'Move Members'],
  [PERM.ManageChannels, 'Manage Channels'],
  [PERM.ManageRoles, 'Manage Roles'],
];

/**
 * In the match category the bot creates channels whose overwrites grant View/Connect/Speak, edits them
 * (Manage Roles; Discord checks the granted bits against the bot's permissions in the category) and moves
 * players (Move Members, Connect).
 */
export const NEEDED_IN_CATEGORY =
  PERM.ViewChannel | PERM.Connect | PERM.Speak | PERM.MoveMembers | PERM.ManageChannels | PERM.ManageRoles;
/** In the lobby the bot moves players in, and out again when a match starts. */
export const NEEDED_IN_LOBBY = PERM.ViewChannel | PERM.Connect | PERM.MoveMembers;

export interface PermissionWorld {
  guildId: string;
  ownerId: string;
  /** role id → permission bits (includes @everyone, whose id is the guild id) */
  roles: ReadonlyMap<string, bigint>;
  /** the member's role ids */
  memberRoles: readonly string[];
  memberId: string;
}

export interface OverwriteBits {
  id: string;
  type: 'role' | 'member';
  allow: bigint;
  deny: bigint;
}

export function guildPermissions(w: PermissionWorld): bigint {
  if (w.ownerId === w.memberId) return ALL;
  let perms = w.roles.get(w.guildId) ?? 0n;
  for (const r of w.memberRoles) perms |= w.roles.get(r) ?? 0n;
  return (perms & ADMINISTRATOR) !== 0n ? ALL : perms;
}

export function channelPermissions(w: PermissionWorld, overwrites: readonly OverwriteBits[]): bigint {
  const base = guildPermissions(w);
  if ((base & ADMINISTRATOR) !== 0n) return ALL;
  let perms = base;
  const everyone = overwrites.find((o) => o.type === 'role' && o.id === w.guildId);
  if (everyone) perms = (perms & ~everyone.deny) | everyone.allow;
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === 'role' && o.id !== w.guildId && w.memberRoles.includes(o.id)) {
      allow |= o.allow;
      deny |= o.deny;
    }
  }
  perms = (perms & ~deny) | allow;
  const own = overwrites.find((o) => o.type === 'member' && o.id === w.memberId);
  if (own) perms = (perms & ~own.deny) | own.allow;
  return (perms & PERM.ViewChannel) === 0n ? 0n : perms;
}

/** Names of the permissions in `needed` that `have` lacks, in a fixed order. */
export function missingPermissions(have: bigint, needed: bigint): string[] {
  if ((have & ADMINISTRATOR) !== 0n) return [];
  return PERMISSION_NAMES.filter(([bit]) => (needed & bit) !== 0n && (have & bit) === 0n).map(([, n]) => n);
}
