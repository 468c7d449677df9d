import {
  FaceitNotFoundError,
  type GuildLink,
  isFaceitLevel,
  type LevelSettings,
  type Logger,
  linksInGuild,
} from '@bridge/core';
import type { Guild, GuildMember, Role } from 'discord.js';
import type { WorkerDeps } from '../deps.ts';
import { guild as guildOf } from '../discord/guild.ts';
import { type LevelTarget, syncGuildMember } from './sync-member.ts';

/** What the level hooks need: the Discord client, the database, FACEIT (its shared rate budget), links. */
export type LevelDeps = Pick<WorkerDeps, 'client' | 'guildView' | 'levels' | 'faceit' | 'links'>;

/** The player's CS2 level from the Data API, or null (said in the log) when FACEIT does not tell. */
async function readLevel(deps: LevelDeps, faceitId: string, log: Logger): Promise<number | null> {
  try {
    const level = (await deps.faceit.getPlayer(faceitId)).games?.cs2?.skill_level;
    return isFaceitLevel(level) ? level : null;
  } catch (err) {
    const what = err instanceof FaceitNotFoundError ? 'FACEIT has no such player' : (err as Error).message;
    log.warn({ faceitId, err: what }, 'FACEIT level not read: roles left as they are');
    return null;
  }
}

/** Who to bring up to date: these members, and whoever plays as these FACEIT accounts. */
interface Sync {
  discordIds?: string[];
  faceitIds?: string[];
  /** Only this guild (a server link changed there): the others did not change. */
  guildId?: string;
  /** The FACEIT nickname a member was named after before the change (to clear the bridge's nickname). */
  formerNicknames?: ReadonlyMap<string, string>;
}

/**
 * Each member's level role and nickname in every guild with either feature on where they are a member, as
 * that guild counts links (its policy and server links: linksInGuild). A member without a link there loses
 * the level roles and the nickname the bridge gave. Each FACEIT level is read once per run, and only when
 * a guild needs it. Nothing it meets fails its caller (a link, an unlink, a finished match).
 */
async function syncLevels(
  deps: LevelDeps,
  what: string,
  sync: Sync,
  log: Logger,
  enabled?: LevelSettings[],
): Promise<void> {
  try {
    const guilds = (enabled ?? (await deps.levels.enabled())).filter(
      (g) => !sync.guildId || g.guildId === sync.guildId,
    );
    // No guild uses levels: no FACEIT request, no Discord request.
    if (guilds.length === 0) return;
    const rows = await deps.links.rows({
      ...(sync.discordIds ? { discordIds: sync.discordIds } : {}),
      ...(sync.faceitIds ? { faceitIds: sync.faceitIds } : {}),
      ...(sync.guildId ? { guildId: sync.guildId } : {}),
    });
    const levels = new Map<string, Promise<number | null>>();
    const state = new Map<string, LevelGuild>();
    const levelOf = (faceitId: string) => {
      const known = levels.get(faceitId);
      if (known) return known;
      const level = readLevel(deps, faceitId, log);
      levels.set(faceitId, level);
      return level;
    };
    const accounts = new Set(sync.faceitIds ?? []);
    for (const settings of guilds) {
      const links = linksInGuild({ guildId: settings.guildId, policy: settings.linkPolicy, ...rows });
      const targets = new Map<string, GuildLink | null>();
      for (const id of sync.discordIds ?? []) targets.set(id, links.find((l) => l.discordId === id) ?? null);
      for (const l of links) if (accounts.has(l.faceitId)) targets.set(l.discordId, l);
      for (const [userId, link] of targets) {
        const target: LevelTarget = link
          ? { faceitNickname: link.nickname, level: await levelOf(link.faceitId), linked: true }
          : { faceitNickname: formerNickname(sync, rows.links, userId), level: null, linked: false };
        const g = state.get(settings.guildId) ?? { settings, reported: new Set<string>() };
        state.set(settings.guildId, g);
        await applyIn(deps, g, userId, target, log);
      }
    }
  } catch (err) {
    log.warn({ err: (err as Error).message }, `${what}: level roles / nicknames not applied`);
  }
}

function formerNickname(
  sync: Sync,
  links: readonly { discord_id: string; faceit_nickname: string }[],
  userId: string,
): string {
  return (
    sync.formerNicknames?.get(userId) ?? links.find((l) => l.discord_id === userId)?.faceit_nickname ?? ''
  );
}

/**
 * A guild with level roles or nicknames on, the bot's member and the roles there (read once per hook
 * run), and the level roles already reported as unsafe in this run.
 */
interface LevelGuild {
  settings: LevelSettings;
  /** the guild, read once per run through the one door (null: the bot is not in it) */
  guild?: Guild | null;
  me?: GuildMember;
  rolesRead?: boolean;
  reported: Set<string>;
}

/** Applies the target to one member of one guild; a failure is that member's, logged. */
async function applyIn(
  deps: LevelDeps,
  g: LevelGuild,
  userId: string,
  target: LevelTarget,
  log: Logger,
): Promise<void> {
  const { settings } = g;
  if (g.guild === undefined) {
    try {
      // Read now (none shared): the safety checks must see a role's permissions as they are.
      g.guild = await guildOf(deps, settings.guildId, 'none');
    } catch (err) {
      // Discord did not answer: this member's update is lost like any other failure here, logged.
      log.warn(
        { guildId: settings.guildId, userId, err: (err as Error).message },
        'level role / nickname not applied',
      );
      return;
    }
  }
  const guild = g.guild;
  if (!guild) return;
  try {
    // Fresh once per run: the bot's own roles change without an event to this client (no GuildMembers intent).
    g.me ??= await guild.members.fetchMe({ force: true });
    // Fresh once per run as well: a role's permissions are checked before each grant, as Discord has them now.
    if (settings.levelRoleIds && !g.rolesRead) {
      await guild.roles.fetch();
      g.rolesRead = true;
    }
    const unsafe = (role: Role, permissions: string[]) => {
      if (g.reported.has(role.id)) return;
      g.reported.add(role.id);
      log.warn(
        { guildId: guild.id, roleId: role.id, role: role.name, permissions },
        'level role not given or taken: it carries dangerous permissions (remove them, or map another role with /setup levels)',
      );
    };
    const outcome = await syncGuildMember(guild, g.me, settings, userId, target, log, unsafe);
    if (outcome === 'updated') {
      log.info(
        { guildId: guild.id, userId, level: target.level, linked: target.linked },
        'level role / nickname updated',
      );
    }
  } catch (err) {
    log.warn({ guildId: guild.id, userId, err: (err as Error).message }, 'level role / nickname not applied');
  }
}

/** After a link: the member's level role and nickname; the previous holder of the account loses theirs. */
export async function levelsOnLink(
  deps: LevelDeps,
  link: {
    discordUserId: string;
    faceitId: string;
    faceitNickname: string;
    previousDiscordUserId?: string | null;
  },
  log: Logger,
): Promise<void> {
  const previous = link.previousDiscordUserId;
  await syncLevels(
    deps,
    'link',
    {
      discordIds: [link.discordUserId, ...(previous ? [previous] : [])],
      ...(previous ? { formerNicknames: new Map([[previous, link.faceitNickname]]) } : {}),
    },
    log,
  );
}

/** After /unlink: the level roles go, and the nickname the bridge gave (one the member chose stays). */
export async function levelsOnUnlink(
  deps: LevelDeps,
  discordUserId: string,
  faceitNickname: string,
  log: Logger,
): Promise<void> {
  await syncLevels(
    deps,
    'unlink',
    { discordIds: [discordUserId], formerNicknames: new Map([[discordUserId, faceitNickname]]) },
    log,
  );
}

/**
 * After a server's admins changed who is who there: the members concerned, in that guild only.
 * `formerNicknames`: the FACEIT nickname each was named after there before.
 */
export async function levelsOnServerLink(
  deps: LevelDeps,
  guildId: string,
  formerNicknames: ReadonlyMap<string, string>,
  log: Logger,
): Promise<void> {
  await syncLevels(
    deps,
    'server link',
    { discordIds: [...formerNicknames.keys()], guildId, formerNicknames },
    log,
  );
}

/**
 * After a finished match: each linked player's level is read again from FACEIT (through the shared
 * rate limiter) and their roles and nickname follow it, in each guild as that guild counts links.
 */
export async function levelsAfterMatch(deps: LevelDeps, matchId: string, log: Logger): Promise<void> {
  try {
    const enabled = await deps.levels.enabled();
    if (enabled.length === 0) return;
    const faceitIds = await deps.levels.rosterOf(matchId);
    await syncLevels(deps, 'match finished', { faceitIds }, log, enabled);
    log.info({ players: faceitIds.length }, 'level roles / nicknames after the match: done');
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'match finished: level roles / nicknames not applied');
  }
}
