/**
 * Identity is global, authority is local. A player's link (player_links) is theirs and serves every
 * server; a server's admins may only say who is who *in their server* (guild_player_overrides), never for
 * a member who proved their link, and a server may refuse unproven (nickname) links. This file decides, for
 * one server, which Discord member stands for which FACEIT account there.
 */

/** How a link was made: signing in with FACEIT, a nickname claim (no proof), or a bridge operator. */
export type VerifiedMethod = 'oauth' | 'nickname' | 'operator';

/** Whether a server counts nickname claims (/register) or only proven links. */
export const LINK_POLICIES = ['verified-only', 'nickname-allowed'] as const;
export type LinkPolicy = (typeof LINK_POLICIES)[number];

/** A guild without settings was never set up: it gets what servers set up from now on get. */
export const DEFAULT_LINK_POLICY: LinkPolicy = 'verified-only';

/** A player_links row, as far as deciding goes. */
export interface GlobalLink {
  discord_id: string;
  faceit_id: string;
  faceit_nickname: string;
  verified_method: VerifiedMethod;
}

/** A guild_player_overrides row: in `guild_id`, `discord_id` is `faceit_id` there (null: nobody). */
export interface ServerLink {
  guild_id: string;
  discord_id: string;
  faceit_id: string | null;
  faceit_nickname: string | null;
}

/** Where a member's link in a server comes from. */
export type LinkSource = 'verified' | 'server' | 'nickname';

/** Who a member is in one server. */
export interface GuildLink {
  discordId: string;
  faceitId: string;
  nickname: string;
  source: LinkSource;
}

/** OAuth and operator links are proof enough for every server; a nickname claim is not. */
export function isVerified(method: VerifiedMethod): boolean {
  return method !== 'nickname';
}

export interface GuildLinkInput {
  guildId: string;
  policy: LinkPolicy;
  /** Global links of the players (and members) asked about; more rows do no harm. */
  links: readonly GlobalLink[];
  /** Server links of any guild (others are ignored) for those players and members. */
  overrides: readonly ServerLink[];
}

/**
 * Who is who in one server. In order:
 * 1. a verified link (OAuth or operator) holds everywhere: no server can move or hide it;
 * 2. a server link (set by this server's admins) applies to a member without a verified link, for an
 *    account nobody verified; `faceit_id` null means "not linked in this server";
 * 3. a nickname claim counts where the policy allows it, unless this server's admins said otherwise about
 *    that member or that account.
 * Each FACEIT account has at most one member per server and each member at most one account.
 */
export function linksInGuild(input: GuildLinkInput): GuildLink[] {
  const verifiedUsers = new Set<string>();
  const verifiedAccounts = new Set<string>();
  for (const l of input.links) {
    if (!isVerified(l.verified_method)) continue;
    verifiedUsers.add(l.discord_id);
    verifiedAccounts.add(l.faceit_id);
  }
  const active = input.overrides.filter(
    (o) =>
      o.guild_id === input.guildId &&
      !verifiedUsers.has(o.discord_id) &&
      !(o.faceit_id !== null && verifiedAccounts.has(o.faceit_id)),
  );
  const overriddenUsers = new Set(active.map((o) => o.discord_id));
  const claimedAccounts = new Set(active.flatMap((o) => (o.faceit_id ? [o.faceit_id] : [])));
  const out: GuildLink[] = [];
  const seen = new Set<string>();
  const add = (l: GuildLink) => {
    if (seen.has(l.faceitId)) return;
    seen.add(l.faceitId);
    out.push(l);
  };
  for (const l of input.links) {
    if (!isVerified(l.verified_method)) continue;
    add({ discordId: l.discord_id, faceitId: l.faceit_id, nickname: l.faceit_nickname, source: 'verified' });
  }
  for (const o of active) {
    if (o.faceit_id === null) continue;
    add({
      discordId: o.discord_id,
      faceitId: o.faceit_id,
      nickname: o.faceit_nickname ?? o.faceit_id,
      source: 'server',
    });
  }
  if (input.policy === 'nickname-allowed') {
    for (const l of input.links) {
      if (isVerified(l.verified_method)) continue;
      if (overriddenUsers.has(l.discord_id) || claimedAccounts.has(l.faceit_id)) continue;
      add({
        discordId: l.discord_id,
        faceitId: l.faceit_id,
        nickname: l.faceit_nickname,
        source: 'nickname',
      });
    }
  }
  return out;
}

/** FACEIT id → Discord id of a server's links (what the channel plan and the card take). */
export function linkMap(links: readonly GuildLink[]): Map<string, string> {
  return new Map(links.map((l) => [l.faceitId, l.discordId]));
}

/** Why a member has no link in a server, or which one counts there (/whoami, /register's answer). */
export type MemberLinkState =
  | { kind: 'linked'; link: GuildLink }
  /** Their nickname claim does not count here: the server admits verified links only. */
  | { kind: 'claim-not-counted'; nickname: string }
  /** This server's admins set "not linked here", or gave their claimed account to another member. */
  | { kind: 'hidden-here'; nickname: string }
  | { kind: 'unlinked' };

/** One member's standing in one server, from the same rows as linksInGuild. */
export function memberLinkState(input: GuildLinkInput, discordId: string): MemberLinkState {
  const link = linksInGuild(input).find((l) => l.discordId === discordId);
  if (link) return { kind: 'linked', link };
  const own = input.links.find((l) => l.discord_id === discordId);
  if (!own) return { kind: 'unlinked' };
  const overridden = input.overrides.some((o) => o.guild_id === input.guildId && o.discord_id === discordId);
  const claimed = input.overrides.some(
    (o) => o.guild_id === input.guildId && o.faceit_id === own.faceit_id && o.discord_id !== discordId,
  );
  if (overridden || claimed) return { kind: 'hidden-here', nickname: own.faceit_nickname };
  return { kind: 'claim-not-counted', nickname: own.faceit_nickname };
}

/** What a server's admins may do to a member's link there (SQL guild_override_set decides it again). */
export type ServerLinkRefusal =
  /** The member proved their link: only they, or an operator, may change it. */
  | 'member-verified'
  /** Someone proved they own that FACEIT account. */
  | 'account-verified'
  /** Another member of this server already has that account here. */
  | 'account-taken-here';
