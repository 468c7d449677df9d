import { type GuildAllowList, guildAllowList, servesGuild as serves } from '@bridge/core';
import { Routes } from 'discord.js';
import type { WorkerDeps } from '../deps.ts';
import { discordCode } from '../discord/errors.ts';

type AccessConfig = Pick<WorkerDeps['config'], 'BRIDGE_GUILDS' | 'DISCORD_GUILD_ID'>;

const lists = new WeakMap<AccessConfig, GuildAllowList>();

/** The allow-list of this config (BRIDGE_GUILDS, DISCORD_GUILD_ID), built once. */
export function allowListOf(config: AccessConfig): GuildAllowList {
  let list = lists.get(config);
  if (!list) {
    list = guildAllowList({ bridgeGuilds: config.BRIDGE_GUILDS, homeGuildId: config.DISCORD_GUILD_ID });
    lists.set(config, list);
  }
  return list;
}

/** Whether this deployment serves the guild (see guildAllowList). */
export function servesGuild(config: AccessConfig, guildId: string): boolean {
  return serves(allowListOf(config), guildId);
}

/** The answer to a slash command in a guild this deployment does not serve. */
export const NOT_SERVED =
  'This bot does not serve this server: its operator has not allowed it here, so it leaves. Nothing was changed.';

/** Guilds this process has already left (or tried to): each is logged once, whatever the gateway repeats. */
const left = new Set<string>();

/**
 * Leaves a guild this deployment does not serve (the bot does nothing there first: no commands, no
 * settings). Discord then sends GUILD_DELETE, which forgets the guild's rows like any removal. Every copy
 * may try; a copy that finds the bot already gone says so at debug level only.
 */
export async function leaveUnserved(
  deps: Pick<WorkerDeps, 'client' | 'log'>,
  guildId: string,
  guildName?: string,
): Promise<void> {
  if (left.has(guildId)) return;
  left.add(guildId);
  const { client, log } = deps;
  try {
    await client.rest.delete(Routes.userGuild(guildId));
    log.warn(
      { guildId, guildName },
      'left a server this deployment does not serve (BRIDGE_GUILDS / DISCORD_GUILD_ID)',
    );
  } catch (err) {
    // 10004 Unknown Guild: another copy left first.
    if (discordCode(err) === 10004) return log.debug({ guildId }, 'unserved guild already left');
    left.delete(guildId);
    log.error(
      { guildId, err: (err as Error).message },
      'could not leave a server this deployment does not serve; it is still refused everything',
    );
  }
}

/**
 * The hook where the bot meets a guild (at start, on joining): true when it serves it; otherwise it
 * leaves (in the background) and the caller does nothing there.
 */
export function admitGuild(
  deps: Pick<WorkerDeps, 'client' | 'config' | 'log'>,
  guild: { id: string; name?: string },
): boolean {
  if (servesGuild(deps.config, guild.id)) return true;
  void leaveUnserved(deps, guild.id, guild.name);
  return false;
}
