/**
 * Every Discord permission the bot can need: which feature needs it and where. This is the one table: the
 * start-up checks (`./run preflight`), `/setup show` and the invite URL read it. Bits and names are Discord's
 * (`developers/topics/permissions.mdx`, "Bitwise Permission Flags"); Discord's permission computation follows.
 */

/** Discord's permission bits the bridge uses (bigint, like discord.js). */
export const PERM = {
  ManageChannels: 1n << 4n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  EmbedLinks: 1n << 14n,
  ReadMessageHistory: 1n << 16n,
  Connect: 1n << 20n,
  Speak: 1n << 21n,
  MoveMembers: 1n << 24n,
  /** USE_VAD, "Use Voice Activity" in Discord's UI: without it a member must use push-to-talk. */
  UseVAD: 1n << 25n,
  ManageNicknames: 1n << 27n,
  ManageRoles: 1n << 28n,
  /**
   * SET_VOICE_CHANNEL_STATUS, documented since 2026-04-20 (`developers/change-log.mdx`; `permissions.mdx`). discord.js
   * 14.28 has no flag for it yet (discordjs/discord.js#11126), hence the bit here.
   */
  SetVoiceChannelStatus: 1n << 48n,
} as const;

export const ADMINISTRATOR = 1n << 3n;
const ALL = (1n << 51n) - 1n;

/**
 * Where the bot must hold a permission. `server`: its roles (Server Settings → Roles), which is what Discord
 * checks when the bot creates a channel with overwrites: "only permissions your bot has in the guild can be
 * allowed/denied" (`developers/resources/guild.mdx`, Create Guild Channel). The others: as computed in that
 * channel (roles, then the channel's overwrites), which is what edits, moves and posts are checked against.
 */
export type PermissionPlace = 'server' | 'category' | 'lobby' | 'card channel';

/**
 * `match channels` and `moves` are the bridge; without the others it still works, with less (each says what
 * is lost), so a missing one is a warning, never a reason not to start.
 */
export type BridgeFeature =
  | 'match channels'
  | 'moves'
  | 'voice activity'
  | 'voice status'
  | 'match cards'
  | 'level roles'
  | 'nicknames';

export const CORE_FEATURES: readonly BridgeFeature[] = ['match channels', 'moves'];

export interface PermissionNeed {
  feature: BridgeFeature;
  bit: bigint;
  /** As Discord's UI names it in Server Settings → Roles. */
  name: string;
  /** As Discord's UI names it on a channel (Edit Channel → Permissions), when it differs. */
  channelName?: string;
  where: readonly PermissionPlace[];
  why: string;
}

/** In the order `/setup show` and the checks list them. */
export const BOT_PERMISSIONS: readonly PermissionNeed[] = [
  {
    feature: 'match channels',
    bit: PERM.ViewChannel,
    name: 'View Channel',
    where: ['server', 'category'],
    why: 'sees the category and its own private team channels (its overwrite allows it, so the server must grant it)',
  },
  {
    feature: 'match channels',
    bit: PERM.ManageChannels,
    name: 'Manage Channels',
    where: ['server', 'category'],
    why: 'creates and deletes team channels and overflow categories',
  },
  {
    feature: 'match channels',
    bit: PERM.ManageRoles,
    name: 'Manage Roles',
    channelName: 'Manage Permissions',
    where: ['server', 'category'],
    why: "sets team channels' overwrites, and changes them when the roster changes",
  },
  {
    feature: 'match channels',
    bit: PERM.Connect,
    name: 'Connect',
    where: ['server', 'category'],
    why: 'grants players Connect (and denies it to @everyone) in their team channel',
  },
  {
    feature: 'match channels',
    bit: PERM.Speak,
    name: 'Speak',
    where: ['server', 'category'],
    why: 'grants players and staff Speak (and denies it to spectators) in team channels',
  },
  {
    feature: 'moves',
    bit: PERM.MoveMembers,
    name: 'Move Members',
    where: ['server', 'category'],
    why: 'moves players into their team channel (its own overwrite allows it, so the server must grant it)',
  },
  {
    feature: 'moves',
    bit: PERM.ViewChannel,
    name: 'View Channel',
    where: ['lobby'],
    why: 'moves players out of the lobby and back at the end',
  },
  {
    feature: 'moves',
    bit: PERM.Connect,
    name: 'Connect',
    where: ['lobby'],
    why: 'Discord moves a member only into a channel the bot may connect to',
  },
  {
    feature: 'moves',
    bit: PERM.MoveMembers,
    name: 'Move Members',
    where: ['lobby'],
    why: 'moves players out of the lobby and back at the end',
  },
  {
    feature: 'voice activity',
    bit: PERM.UseVAD,
    name: 'Use Voice Activity',
    where: ['server', 'category'],
    why: 'grants players Use Voice Activity in their team channel; without it, where @everyone lacks it, players must use push-to-talk',
  },
  {
    feature: 'voice status',
    bit: PERM.SetVoiceChannelStatus,
    name: 'Set Voice Channel Status',
    where: ['category'],
    why: "sets the team channels' status line (map and stage) when match cards are on",
  },
  {
    feature: 'match cards',
    bit: PERM.ViewChannel,
    name: 'View Channel',
    where: ['card channel'],
    why: 'sees the card channel',
  },
  {
    feature: 'match cards',
    bit: PERM.SendMessages,
    name: 'Send Messages',
    where: ['card channel'],
    why: 'posts the match card',
  },
  {
    feature: 'match cards',
    bit: PERM.EmbedLinks,
    name: 'Embed Links',
    where: ['card channel'],
    why: 'the card is an embed',
  },
  {
    feature: 'match cards',
    bit: PERM.ReadMessageHistory,
    name: 'Read Message History',
    where: ['card channel'],
    why: 'finds its card again after a crash',
  },
  {
    feature: 'level roles',
    bit: PERM.ManageRoles,
    name: 'Manage Roles',
    where: ['server'],
    why: "creates the level roles and gives them (only roles below the bot's highest)",
  },
  {
    feature: 'nicknames',
    bit: PERM.ManageNicknames,
    name: 'Manage Nicknames',
    where: ['server'],
    why: 'renames linked members (never the owner, nor members above the bot)',
  },
];

/** What the bot needs at `place` for `features` (default: the core features). */
export function needsAt(
  place: PermissionPlace,
  features: readonly BridgeFeature[] = CORE_FEATURES,
): PermissionNeed[] {
  return BOT_PERMISSIONS.filter((n) => n.where.includes(place) && features.includes(n.feature));
}

/** The bits of `needs`, or-ed. */
export function bitsOf(needs: readonly PermissionNeed[]): bigint {
  return needs.reduce((all, n) => all | n.bit, 0n);
}

/** Every permission of every feature: what the invite asks for. */
export const INVITE_PERMISSIONS = bitsOf(BOT_PERMISSIONS);

/** The core needs in the match category (or at server level when no category is set). */
export const NEEDED_IN_CATEGORY = bitsOf(needsAt('category'));
/** In the lobby the bot moves players in, and out again when a match starts. */
export const NEEDED_IN_LOBBY = bitsOf(needsAt('lobby'));
/** The core needs at server level (the create-with-overwrites rule). */
export const NEEDED_IN_SERVER = bitsOf(needsAt('server'));

/** Each permission's names, once, in the table's order. */
export const PERMISSION_NAMES: ReadonlyArray<readonly [bigint, string]> = [
  ...new Map(BOT_PERMISSIONS.map((n) => [n.bit, n.name] as const)),
];

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

/** Names of the permissions in `needed` that `have` lacks, in the table's order. */
export function missingPermissions(have: bigint, needed: bigint): string[] {
  if ((have & ADMINISTRATOR) !== 0n) return [];
  return PERMISSION_NAMES.filter(([bit]) => (needed & bit) !== 0n && (have & bit) === 0n).map(([, n]) => n);
}

/** The needs of `features` at `place` that `have` lacks, each permission once, named as `place` shows it. */
export function missingAt(
  have: bigint,
  place: PermissionPlace,
  features: readonly BridgeFeature[] = CORE_FEATURES,
): string[] {
  if ((have & ADMINISTRATOR) !== 0n) return [];
  const names = new Map<bigint, string>();
  for (const n of needsAt(place, features)) {
    if ((have & n.bit) === 0n && !names.has(n.bit)) {
      names.set(n.bit, place === 'server' ? n.name : (n.channelName ?? n.name));
    }
  }
  return [...names.values()];
}
