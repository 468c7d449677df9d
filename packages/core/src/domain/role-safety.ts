/**
 * Which roles the bridge may hand out or write channel overwrites for: pure decisions, no I/O.
 *
 * The bot gives level roles on its own authority (Manage Roles), so a role that carries power over the
 * server or its members would turn "/setup levels" into a way to hand that power out (and take it away).
 * A level role is cosmetic; one that carries any permission below is refused at /setup and skipped at
 * every grant.
 */
import { PermissionFlagsBits } from 'discord-api-types/v10';

const P = PermissionFlagsBits;

/**
 * Permissions a role the bot hands out must not carry, with the names Discord's client shows. Discord's
 * own "moderator" set (those that need the owner's 2FA in a server that requires it: Administrator, Kick,
 * Ban, Manage Server/Roles/Channels/Webhooks/Messages/Threads/Expressions, Moderate Members, View Creator
 * Monetization Analytics), plus every other power over other members, everyone, or server data: Manage
 * Nicknames, Manage Events, Mention Everyone, Mute/Deafen/Move Members, Pin Messages, View Audit Log,
 * View Server Insights. What is left acts on the member's own behaviour (speak, send, stream, react…).
 */
export const DANGEROUS_PERMISSIONS: ReadonlyArray<readonly [bigint, string]> = [
  [P.Administrator, 'Administrator'],
  [P.ManageGuild, 'Manage Server'],
  [P.ManageRoles, 'Manage Roles'],
  [P.ManageChannels, 'Manage Channels'],
  [P.ManageWebhooks, 'Manage Webhooks'],
  [P.ManageMessages, 'Manage Messages'],
  [P.ManageThreads, 'Manage Threads and Posts'],
  [P.ManageNicknames, 'Manage Nicknames'],
  [P.ManageGuildExpressions, 'Manage Expressions'],
  [P.ManageEvents, 'Manage Events'],
  [P.KickMembers, 'Kick Members'],
  [P.BanMembers, 'Ban Members'],
  [P.ModerateMembers, 'Timeout Members'],
  [P.MentionEveryone, 'Mention @everyone, @here and All Roles'],
  [P.MuteMembers, 'Mute Members'],
  [P.DeafenMembers, 'Deafen Members'],
  [P.MoveMembers, 'Move Members'],
  [P.PinMessages, 'Pin Messages'],
  [P.ViewAuditLog, 'View Audit Log'],
  [P.ViewGuildInsights, 'View Server Insights'],
  [P.ViewCreatorMonetizationAnalytics, 'View Creator Monetization Analytics'],
];

/** Every dangerous bit in one mask. */
export const DANGEROUS_MASK: bigint = DANGEROUS_PERMISSIONS.reduce((m, [bit]) => m | bit, 0n);

/** The names of the dangerous permissions in `bits`, in the list's order (empty: none). */
export function dangerousPermissionNames(bits: bigint): string[] {
  return DANGEROUS_PERMISSIONS.filter(([bit]) => (bits & bit) !== 0n).map(([, name]) => name);
}

/** What the bridge knows of a role, as Discord describes it (role object and its `tags`). */
export interface RoleFacts {
  id: string;
  guildId: string;
  /** Held through an integration: a bot's own role, Server Booster, a Twitch/YouTube subscriber role… */
  managed: boolean;
  /** role.tags: the linked-role (`guild_connections`) and purchasable-role (`available_for_purchase`) markers. */
  linkedRole?: boolean;
  purchasable?: boolean;
}

/**
 * Why the role is one anyone can end up holding without the server's role managers deciding it (so
 * granting it channel access is granting it to whoever walks in), or null. @everyone is every member; a
 * managed role is given by an integration (boosting, a subscription, a bot); a linked role is taken by
 * members themselves by connecting an account; a purchasable role is bought.
 */
export function openRoleProblem(role: RoleFacts): string | null {
  if (role.id === role.guildId) return '@everyone is every member of the server';
  if (role.managed)
    return 'it belongs to an integration or a bot (boosting, a subscription, a bot’s own role)';
  if (role.linkedRole) return 'it is a linked role: members take it themselves by connecting an account';
  if (role.purchasable) return 'it can be bought';
  return null;
}

/**
 * The most the bridge's overwrite for a staff or spectator role on a match channel may allow: what
 * joining and talking need (View Channel, Connect, Speak, Use Voice Activity). Anything more (Move/Mute
 * Members, Manage Channel, Priority Speaker…) would hand the role powers over the players that
 * /setup roles never asked for.
 */
export const MATCH_ROLE_ALLOW_MAX: bigint = P.ViewChannel | P.Connect | P.Speak | P.UseVAD;
