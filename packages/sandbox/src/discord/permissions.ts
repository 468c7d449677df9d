import type { ChannelRec, GuildRec } from './types.ts';

/** Permission bits used by the emulator (a subset of Discord's, same values). */
export const Permission = {
  CreateInstantInvite: 1n << 0n,
  KickMembers: 1n << 1n,
  BanMembers: 1n << 2n,
  Administrator: 1n << 3n,
  ManageChannels: 1n << 4n,
  ManageGuild: 1n << 5n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  EmbedLinks: 1n << 14n,
  ReadMessageHistory: 1n << 16n,
  Connect: 1n << 20n,
  Speak: 1n << 21n,
  MuteMembers: 1n << 22n,
  DeafenMembers: 1n << 23n,
  MoveMembers: 1n << 24n,
  UseVAD: 1n << 25n,
  ManageNicknames: 1n << 27n,
  ManageRoles: 1n << 28n,
  UseApplicationCommands: 1n << 31n,
  SetVoiceChannelStatus: 1n << 48n,
} as const;

/** Every permission bit Discord defines today (bits 0..50). */
export const ALL_PERMISSIONS = (1n << 51n) - 1n;

export const DEFAULT_EVERYONE_PERMISSIONS =
  Permission.ViewChannel |
  Permission.SendMessages |
  Permission.EmbedLinks |
  Permission.ReadMessageHistory |
  Permission.Connect |
  Permission.Speak |
  Permission.UseVAD |
  Permission.UseApplicationCommands;

export const DEFAULT_BOT_PERMISSIONS =
  Permission.ViewChannel |
  Permission.Connect |
  Permission.MoveMembers |
  Permission.ManageChannels |
  Permission.ManageRoles |
  Permission.SendMessages;

export function parsePermissions(value: unknown, fallback = 0n): bigint {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  throw new TypeError(`invalid permission bitfield: ${String(value)}`);
}

export function has(perms: bigint, bit: bigint): boolean {
  return (perms & Permission.Administrator) === Permission.Administrator || (perms & bit) === bit;
}

/** Guild-level permissions: @everyone then roles; owner and Administrator get everything. */
export function basePermissions(g: GuildRec, userId: string): bigint {
  if (g.ownerId === userId) return ALL_PERMISSIONS;
  const m = g.members.get(userId);
  let perms = g.roles.get(g.id)?.permissions ?? 0n;
  for (const r of m?.roles ?? []) perms |= g.roles.get(r)?.permissions ?? 0n;
  return (perms & Permission.Administrator) !== 0n ? ALL_PERMISSIONS : perms;
}

/** Channel-level permissions: @everyone overwrite, role overwrites, member overwrite (Discord's order). */
export function channelPermissions(g: GuildRec, userId: string, c: ChannelRec): bigint {
  let perms = basePermissions(g, userId);
  if (perms === ALL_PERMISSIONS) return perms;
  const m = g.members.get(userId);
  const everyone = c.overwrites.find((o) => o.id === g.id);
  if (everyone) perms = (perms & ~everyone.deny) | everyone.allow;
  let allow = 0n;
  let deny = 0n;
  for (const o of c.overwrites) {
    if (o.type === 0 && o.id !== g.id && m?.roles.includes(o.id)) {
      allow |= o.allow;
      deny |= o.deny;
    }
  }
  perms = (perms & ~deny) | allow;
  const own = c.overwrites.find((o) => o.type === 1 && o.id === userId);
  if (own) perms = (perms & ~own.deny) | own.allow;
  // Without View Channel every other permission in the channel is implicitly denied.
  return (perms & Permission.ViewChannel) === 0n ? 0n : perms;
}
