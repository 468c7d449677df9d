import { gatewayKeys, type Logger, pause, type RedisClient, RedisLock } from '@bridge/core';
import { type REST, Routes } from 'discord.js';
import { discordCode } from '../discord/errors.ts';

/**
 * The deployment's pace, one request per this long: the route's bucket is the application's, shared by every
 * server (10 per 10 s; discord.js keys it without a major parameter), and every shard's holder runs its own
 * pass at the same time, so each goes at this × the shard count. The pass is once per deployment: slow is fine.
 */
export const CLEAR_PACE_MS = 1100;
const LOCK_MS = 30_000;

/**
 * Versions before the global commands registered the slash commands in every server; a server that still has
 * them would show every command twice. This pass empties each server's own command list (one bulk overwrite
 * with nothing, `PUT /applications/{app}/guilds/{guild}/commands []`), once per deployment and shard: the
 * shard's holder runs it in the background (at most one request per CLEAR_PACE_MS for the whole deployment),
 * and Redis records the servers done (so a pass cut short goes on where it stopped) and then the shard as done.
 * Start-up never waits for it.
 */
export async function clearOldGuildCommands(opts: {
  rest: REST;
  redis: RedisClient;
  prefix: string;
  appId: () => Promise<string>;
  shard: number;
  shardCount: number;
  /** the shard's guilds, read when the pass starts */
  guildIds: () => readonly string[];
  copyId: string;
  log: Logger;
  signal: AbortSignal;
  paceMs?: number;
}): Promise<'done' | 'already' | 'elsewhere'> {
  const { redis, shard, shardCount, signal } = opts;
  const keys = gatewayKeys(redis, opts.prefix);
  const doneKey = keys.guildCommandsCleared(shard, shardCount);
  if ((await redis.get(doneKey)) === 'done') return 'already';
  const pace = opts.paceMs ?? CLEAR_PACE_MS * shardCount;
  // Renewed once per request: it must outlast the pause between two.
  const lock = new RedisLock(
    redis,
    keys.guildCommandsLock(shard, shardCount),
    opts.copyId,
    Math.max(LOCK_MS, pace * 3),
  );
  if (!(await lock.take())) return 'elsewhere';
  const doneSet = `${doneKey}:guilds`;
  try {
    const appId = await opts.appId();
    let cleared = 0;
    for (const guildId of opts.guildIds()) {
      signal.throwIfAborted();
      if (await redis.sismember(doneSet, guildId)) continue;
      try {
        await opts.rest.put(Routes.applicationGuildCommands(appId, guildId), { body: [] });
        cleared++;
      } catch (err) {
        // The bot left the server, or may not see it: nothing to clear there.
        if (![10004, 50001].includes(discordCode(err) ?? 0)) throw err;
      }
      await redis.sadd(doneSet, guildId);
      if (!(await lock.renew())) throw new Error('lost the lock of the per-server command clean-up');
      await pause(pace, signal);
    }
    await redis.multi().set(doneKey, 'done').del(doneSet).exec();
    opts.log.info({ shard, shardCount, servers: cleared }, 'old per-server slash commands removed');
    return 'done';
  } finally {
    await lock.release().catch(() => {});
  }
}
