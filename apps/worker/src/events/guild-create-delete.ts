import { pause } from '@bridge/core';
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
): Promise<GuildFeature> {
  const { config, log, guilds } = deps;
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
  const restore = (guild: { id: string }) => {
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
  const joined = (guild: { id: string; name: string }) => {
    if (admitGuild(deps, guild)) restore(guild);
  };
  // A shard came up with these guilds: a guild this deployment does not serve is left (only such a guild
  // costs a request, the served ones nothing: the commands are global), and one that re-invited the bot while
  // no copy was listening gets its settings back (one query for the shard, against the few put aside).
  const shardUp = (guildIds: readonly string[]) => {
    const served = guildIds.filter((id) => admitGuild(deps, { id }));
    void guilds.shelvedIds().then(
      (shelved) => {
        for (const id of served) if (shelved.has(id)) restore({ id });
      },
      (err: Error) => log.warn({ err: err.message }, 'servers put aside not read; a re-invite restores them'),
    );
  };
  const removed = (guildId: string) => {
    void guilds.shelve(guildId).then(
      (rows) => {
        deps.liveChanged([guildId]);
        log.info(
          { guildId, channelRows: rows, keptDays: config.GUILD_RETENTION_DAYS },
          'removed from a guild: its channel rows forgotten, its settings kept for a re-invite',
        );
      },
      (err: Error) => log.error({ guildId, err: err.message }, 'guild rows not forgotten'),
    );
  };
  return {
    name: 'guilds',
    shardUp,
    joined,
    removed,
    close: async () => {
      stopping.abort();
      await Promise.all(retries);
    },
  };
}

/** The guild feature's handle: also told the guilds of each shard that comes up on this copy. */
export interface GuildFeature extends FeatureHandle {
  shardUp(guildIds: readonly string[]): void;
  /** the bot was added to a guild */
  joined(guild: { id: string; name: string }): void;
  /** the bot was removed from a guild */
  removed(guildId: string): void;
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
