import type { DataApiMatch } from '../faceit/data-api.ts';
import { PERM } from './bot-permissions.ts';

export const FACTIONS = ['faction1', 'faction2'] as const;
export type Faction = (typeof FACTIONS)[number];

export const PLAYER_ALLOW = PERM.ViewChannel | PERM.Connect | PERM.Speak;
export const EVERYONE_DENY = PERM.ViewChannel | PERM.Connect;
/** Spectators (/setup roles spectator:) may join and listen, not speak. */
export const SPECTATOR_ALLOW = PERM.ViewChannel | PERM.Connect;
export const SPECTATOR_DENY = PERM.Speak;
/** The bot's own overwrite: what it needs in a private channel, and the "this bridge created it" marker. */
export const BOT_ALLOW = PERM.ViewChannel | PERM.Connect | PERM.MoveMembers | PERM.ManageChannels;

export interface Overwrite {
  id: string;
  type: 'role' | 'member';
  allow: bigint;
  deny: bigint;
}

export interface ChannelPlan {
  faction: Faction;
  name: string;
  /** FACEIT ids of who plays (roster + substitutes marked playing), linked or not. */
  rosterFaceitIds: string[];
  /** Discord ids of the linked players and bench substitutes: they may see and join the channel. */
  memberIds: string[];
  /** Discord ids of the linked players only: they get moved in (the bench is not dragged into voice). */
  moveIds: string[];
  overwrites: Overwrite[];
}

export interface PlanContext {
  template: string;
  guildId: string;
  botUserId: string;
  staffRoleId?: string | undefined;
  spectatorRoleId?: string | undefined;
  /**
   * The bot holds Use Voice Activity at server level (and in the category): players and staff are granted
   * it, so a server whose @everyone lacks it does not put them on push-to-talk. Discord refuses a channel
   * whose overwrites grant a bit the bot lacks in the server, so without it the grant is left out.
   */
  voiceActivity?: boolean | undefined;
  /** FACEIT id → Discord id. */
  links: ReadonlyMap<string, string>;
}

/** First 8 hex of the match uuid (`1-<uuid>` → the uuid's first 8 characters). */
export function shortId(matchId: string): string {
  const uuid = matchId.replace(/^\d+-/, '');
  return uuid.replace(/-/g, '').slice(0, 8).toLowerCase();
}

export function channelName(
  template: string,
  matchId: string,
  faction: Faction,
  team: string = faction,
): string {
  return template
    .replaceAll('{short}', shortId(matchId))
    .replaceAll('{faction}', faction)
    .replaceAll('{team}', team)
    .slice(0, 100);
}

/** Matches every name the template can produce; `short` narrows it to one match. */
export function channelNamePattern(template: string, short = '[0-9a-f]{8}'): RegExp {
  const escaped = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  const source = escaped
    .replaceAll('{short}', short)
    .replaceAll('{faction}', '(faction1|faction2)')
    .replaceAll('{team}', '.+');
  return new RegExp(`^${source}$`);
}

/** A championship free pass: the opponent is a placeholder team with this id and nobody on it. */
export const BYE_TEAM_ID = 'bye';

export interface Lineup {
  /** Roster plus substitutes marked `playing: true`, in FACEIT's order, each once. */
  players: string[];
  /** The other substitutes: on the team, not in the match. */
  bench: string[];
}

/** Who plays for a faction and who sits on its bench; a bye team has neither. */
export function lineupOf(match: DataApiMatch, faction: Faction): Lineup {
  const team = match.teams?.[faction];
  if (!team || team.faction_id === BYE_TEAM_ID) return { players: [], bench: [] };
  const subs = team.substitutes ?? [];
  const players = [
    ...new Set([
      ...(team.roster ?? []).map((p) => p.player_id),
      ...subs.filter((p) => p.playing === true).map((p) => p.player_id),
    ]),
  ];
  const bench = [...new Set(subs.map((p) => p.player_id))].filter((id) => !players.includes(id));
  return { players, bench };
}

export function rosterOf(match: DataApiMatch, faction: Faction): string[] {
  return lineupOf(match, faction).players;
}

/** Every FACEIT id the match's channels may need a link for (players and benches of both factions). */
export function faceitIdsOf(match: DataApiMatch): string[] {
  return FACTIONS.flatMap((f) => {
    const { players, bench } = lineupOf(match, f);
    return [...players, ...bench];
  });
}

/**
 * The factions that get a channel: those with someone playing. A bye team, or a side FACEIT has
 * not filled yet, gets none (a later event converges again once it is filled).
 */
export function factionsInPlay(match: DataApiMatch): Faction[] {
  return FACTIONS.filter((f) => lineupOf(match, f).players.length > 0);
}

/** The channel each faction in play needs: its name and exactly who may see and join it. */
export function planChannels(match: DataApiMatch, ctx: PlanContext): ChannelPlan[] {
  const discordIds = (faceitIds: string[]) =>
    [...new Set(faceitIds.flatMap((id) => (ctx.links.has(id) ? [ctx.links.get(id) as string] : [])))].sort();
  const speaker = PLAYER_ALLOW | (ctx.voiceActivity ? PERM.UseVAD : 0n);
  return factionsInPlay(match).map((faction) => {
    const { players, bench } = lineupOf(match, faction);
    const moveIds = discordIds(players);
    const memberIds = discordIds([...players, ...bench]);
    const overwrites: Overwrite[] = [
      // @everyone's role id is the guild id.
      { id: ctx.guildId, type: 'role', allow: 0n, deny: EVERYONE_DENY },
      { id: ctx.botUserId, type: 'member', allow: BOT_ALLOW, deny: 0n },
      ...(ctx.staffRoleId ? [{ id: ctx.staffRoleId, type: 'role' as const, allow: speaker, deny: 0n }] : []),
      ...(ctx.spectatorRoleId && ctx.spectatorRoleId !== ctx.staffRoleId
        ? [{ id: ctx.spectatorRoleId, type: 'role' as const, allow: SPECTATOR_ALLOW, deny: SPECTATOR_DENY }]
        : []),
      ...memberIds
        .filter((id) => id !== ctx.botUserId)
        .map((id) => ({ id, type: 'member' as const, allow: speaker, deny: 0n })),
    ];
    const team = match.teams?.[faction]?.name ?? faction;
    return {
      faction,
      name: channelName(ctx.template, match.match_id, faction, team),
      rosterFaceitIds: players,
      memberIds,
      moveIds,
      overwrites,
    };
  });
}

/** The bridge's marker: the bot's own member overwrite allowing what BOT_ALLOW holds. */
export function isBridgeCreated(overwrites: readonly Overwrite[], botUserId: string): boolean {
  return overwrites.some(
    (o) => o.id === botUserId && o.type === 'member' && (o.allow & BOT_ALLOW) === BOT_ALLOW,
  );
}
