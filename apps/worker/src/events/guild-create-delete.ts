import { pause } from '@bridge/core';
import { Events, type Guild } from 'discord.js';
import { admitGuild } from '../access/served-guilds.ts';
import type { FeatureHandle, WorkerDeps } from '../deps.ts';
import { backoff } from '../startup.ts';

/**
 * Guild lifecycle: a guild that removes the bot loses its settings, follows and channel rows (its channels
 * went with it); one that adds it is logged (the slash commands are global: it has them already), or left
 * when this deployment does not serve it (BRIDGE_GUILDS). In single-guild mode the env seeds that guild.
 * Nothing here runs per served guild at start.
 */
export async function startGuildFeature(
  deps: Pick<WorkerDeps, 'config' | 'client' | 'log' | 'guilds' | 'liveChanged'>,
): Promise<FeatureHandle> {
  const { config, client, log, guilds } = deps;
  const stopping = new AbortController();
  const retries = new Set<Promise<void>>();
  const retryInBackground = (what: string, fn: () => Promise<unknown>, first: Error, guildId: string) => {
    log.error({ guildId, err: first.message }, `${what} failed; retrying`);
    const retry = retrying(
      fn,
      { baseMs: config.PREFLIGHT_RETRY_MS, signal: stopping.signal },
      (err, retryInMs) => log.error({ guildId, err: err.message, retryInMs }, `${what} failed; retrying`),
    )
      .catch(() => {})
      .finally(() => retries.delete(retry));
    retries.add(retry);
  };
  if (config.DISCORD_GUILD_ID) {
    const guildId = config.DISCORD_GUILD_ID;
    const seed = () =>
      guilds.seed({
        guildId,
        categoryId: config.VC_CATEGORY_ID,
        lobbyChannelId: config.VC_LOBBY_CHANNEL_ID,
        staffRoleId: config.VC_STAFF_ROLE_ID,
        nameTemplate: config.VC_NAME_TEMPLATE,
      });
    // A database that is down at start must not stop the worker (a restart spends an IDENTIFY): match
    // jobs that need the settings meanwhile retry (settingsOf), and the seed is retried here.
    const failed = await seed().then(
      () => null,
      (e: Error) => e,
    );
    if (failed) retryInBackground('seeding the guild settings from the env', seed, failed, guildId);
  }
  // A guild this deployment does not serve is left: only such a guild costs a request here, the served ones
  // nothing (the commands are global).
  for (const guild of client.guilds.cache.values()) admitGuild(deps, guild);
  const onCreate = (guild: Guild) => {
    if (!admitGuild(deps, guild)) return;
    // A re-invite within GUILD_RETENTION_DAYS gets the settings it had back.
    void guilds.unshelve(guild.id, config.GUILD_RETENTION_DAYS).then(
      (restored) =>
        log.info(
          { guildId: guild.id, restored },
          restored ? 'joined a guild: its settings restored' : 'joined a guild',
        ),
      (err: Error) =>
        log.error({ guildId: guild.id, err: err.message }, 'joined a guild: settings not restored'),
    );
  };
  // discord.js emits GuildDelete only when the bot was removed (an outage is GuildUnavailable).
  const onDelete = (guild: Guild) => {
    void guilds.shelve(guild.id).then(
      (rows) => {
        deps.liveChanged([guild.id]);
        log.info(
          { guildId: guild.id, channelRows: rows, keptDays: config.GUILD_RETENTION_DAYS },
          'removed from a guild: its channel rows forgotten, its settings kept for a re-invite',
        );
      },
      (err: Error) => log.error({ guildId: guild.id, err: err.message }, 'guild rows not forgotten'),
    );
  };
  client.on(Events.GuildCreate, onCreate);
  client.on(Events.GuildDelete, onDelete);
  return {
    name: 'guilds',
    close: async () => {
      client.off(Events.GuildCreate, onCreate);
      client.off(Events.GuildDelete, onDelete);
      stopping.abort();
      await Promise.all(retries);
    },
  };
}

/** Runs `fn` until it succeeds, waiting with backoff between attempts; stops when `signal` aborts. */
async function retrying(
  fn: () => Promise<unknown>,
  opts: { baseMs: number; signal: AbortSignal },
  onError: (err: Error, retryInMs: number) => void,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const retryInMs = backoff(opts.baseMs, attempt);
    await pause(retryInMs, opts.signal);
    try {
      await fn();
      return;
    } catch (err) {
      onError(err as Error, backoff(opts.baseMs, attempt + 1));
    }
  }
}
