/**
 * Which Discord servers one deployment serves. Anyone may add a public bot to a server they own; the
 * operator decides whether that server gets anything.
 */

/** `any`: every server that invites the bot; otherwise exactly these guild ids. */
export type GuildAllowList = 'any' | ReadonlySet<string>;

/**
 * BRIDGE_GUILDS and DISCORD_GUILD_ID → the servers served:
 * - BRIDGE_GUILDS=`*`: any server (a public deployment), whatever DISCORD_GUILD_ID says;
 * - BRIDGE_GUILDS=a,b: those, plus DISCORD_GUILD_ID when set;
 * - BRIDGE_GUILDS unset, DISCORD_GUILD_ID set (single-guild mode): that server only;
 * - neither set: any server (each configured with /setup): a multi-community deployment.
 */
export function guildAllowList(opts: {
  bridgeGuilds?: 'any' | readonly string[] | undefined;
  homeGuildId?: string | undefined;
}): GuildAllowList {
  const { bridgeGuilds, homeGuildId } = opts;
  if (bridgeGuilds === 'any') return 'any';
  if (bridgeGuilds === undefined && !homeGuildId) return 'any';
  return new Set([...(bridgeGuilds ?? []), ...(homeGuildId ? [homeGuildId] : [])]);
}

/** Whether the bot serves this guild: registers commands, answers them, builds channels, acts there. */
export function servesGuild(allow: GuildAllowList, guildId: string): boolean {
  return allow === 'any' || allow.has(guildId);
}

/**
 * The deployment's operators: the Discord application's owner (or, for a team-owned application, its
 * members who accepted the invite) and BRIDGE_OPERATOR_IDS. They alone may change a verified link.
 */
export function operatorIds(opts: {
  owner?: { userId: string } | { teamMemberIds: readonly string[] } | null | undefined;
  configured?: readonly string[] | undefined;
}): Set<string> {
  const fromApp = !opts.owner
    ? []
    : 'userId' in opts.owner
      ? [opts.owner.userId]
      : [...opts.owner.teamMemberIds];
  return new Set([...fromApp, ...(opts.configured ?? [])]);
}
