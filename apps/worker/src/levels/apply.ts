import { FaceitNotFoundError, isFaceitLevel, type LevelSettings, type Logger } from '@bridge/core';
import type { GuildMember, Role } from 'discord.js';
import type { WorkerDeps } from '../deps.ts';
import { type LevelTarget, syncGuildMember } from './sync-member.ts';

/** What the level hooks need: the Discord client, the database, FACEIT (its shared rate budget), links. */
export type LevelDeps = Pick<WorkerDeps, 'client' | 'levels' | 'faceit' | 'links'>;

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

/**
 * A guild with level roles or nicknames on, the bot's member and the roles there (read once per hook
 * run), and the level roles already reported as unsafe in this run.
 */
interface LevelGuild {
  settings: LevelSettings;
  me?: GuildMember;
  rolesRead?: boolean;
  reported: Set<string>;
}

/** Applies the target in every guild that has level roles or nicknames on and where the user is a member. */
async function applyAcross(
  deps: LevelDeps,
  guilds: LevelGuild[],
  userId: string,
  target: LevelTarget,
  log: Logger,
): Promise<void> {
  for (const g of guilds) {
    const { settings } = g;
    const guild = deps.client.guilds.cache.get(settings.guildId);
    if (!guild) continue;
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
      log.warn(
        { guildId: guild.id, userId, err: (err as Error).message },
        'level role / nickname not applied',
      );
    }
  }
}

/** Runs a hook so that nothing it meets fails its caller (a link, an unlink, a finished match). */
async function guarded(
  log: Logger,
  what: string,
  fn: (guilds: LevelGuild[]) => Promise<void>,
  deps: LevelDeps,
) {
  try {
    const guilds = await deps.levels.enabled();
    // No guild uses levels: no FACEIT request, no Discord request.
    if (guilds.length > 0) await fn(guilds.map((settings) => ({ settings, reported: new Set<string>() })));
  } catch (err) {
    log.warn({ err: (err as Error).message }, `${what}: level roles / nicknames not applied`);
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
  await guarded(
    log,
    'link',
    async (guilds) => {
      const level = await readLevel(deps, link.faceitId, log);
      await applyAcross(
        deps,
        guilds,
        link.discordUserId,
        { faceitNickname: link.faceitNickname, level, linked: true },
        log,
      );
      if (link.previousDiscordUserId) {
        const gone = { faceitNickname: link.faceitNickname, level: null, linked: false };
        await applyAcross(deps, guilds, link.previousDiscordUserId, gone, log);
      }
    },
    deps,
  );
}

/** After /unlink: the level roles go, and the nickname the bridge gave (one the member chose stays). */
export async function levelsOnUnlink(
  deps: LevelDeps,
  discordUserId: string,
  faceitNickname: string,
  log: Logger,
): Promise<void> {
  await guarded(
    log,
    'unlink',
    (guilds) => applyAcross(deps, guilds, discordUserId, { faceitNickname, level: null, linked: false }, log),
    deps,
  );
}

/**
 * After a finished match: each linked player's level is read again from FACEIT (through the shared
 * rate limiter) and their roles and nickname follow it.
 */
export async function levelsAfterMatch(deps: LevelDeps, matchId: string, log: Logger): Promise<void> {
  await guarded(
    log,
    'match finished',
    async (guilds) => {
      const faceitIds = await deps.levels.rosterOf(matchId);
      const links = await deps.links.byFaceitIds(faceitIds);
      for (const link of links) {
        const level = await readLevel(deps, link.faceit_id, log);
        const target = { faceitNickname: link.faceit_nickname, level, linked: true };
        await applyAcross(deps, guilds, link.discord_id, target, log);
      }
      log.info({ linkedPlayers: links.length }, 'level roles / nicknames after the match: done');
    },
    deps,
  );
}
