import { createHash } from 'node:crypto';
import { gatewayKeys, type Logger, pause, type RedisClient, RedisLock } from '@bridge/core';
import {
  type APIApplication,
  type REST,
  type RESTPutAPIApplicationCommandsJSONBody,
  Routes,
} from 'discord.js';

/** How long a copy registering the commands holds the lock (one bulk overwrite takes well under this). */
const LOCK_MS = 60_000;
/** While Discord holds other definitions than these, how often a copy checks whether it should register. */
const RECHECK_MS = 30_000;

export type SyncOutcome = 'unchanged' | 'registered' | 'elsewhere';

/** The definitions' fingerprint: what Discord was last given, kept in Redis. */
export function commandsHash(definitions: RESTPutAPIApplicationCommandsJSONBody): string {
  return createHash('sha256').update(JSON.stringify(definitions)).digest('hex');
}

/** The application's id (GET /applications/@me), read once per process. */
export function applicationId(rest: REST): () => Promise<string> {
  let id: Promise<string> | undefined;
  return () => {
    id ??= (rest.get(Routes.currentApplication()) as Promise<APIApplication>).then((a) => a.id);
    id.catch(() => {
      id = undefined;
    });
    return id;
  };
}

/**
 * Makes Discord hold these global slash commands, once per deployment: the definitions' hash lives in Redis,
 * so a copy whose definitions Discord already has does nothing (no request at all), and one copy at a time
 * (under a lock) does the bulk overwrite when they changed. Global commands show in every server the bot is
 * in, including servers it joins later: nothing is registered per server.
 */
export async function syncGlobalCommands(opts: {
  rest: REST;
  redis: RedisClient;
  prefix: string;
  appId: () => Promise<string>;
  definitions: RESTPutAPIApplicationCommandsJSONBody;
  copyId: string;
}): Promise<SyncOutcome> {
  const keys = gatewayKeys(opts.redis, opts.prefix);
  const hash = commandsHash(opts.definitions);
  if ((await opts.redis.get(keys.commands)) === hash) return 'unchanged';
  const lock = new RedisLock(opts.redis, keys.commandsLock, opts.copyId, LOCK_MS);
  if (!(await lock.take())) return 'elsewhere';
  try {
    // Another copy may have finished between the read and the lock.
    if ((await opts.redis.get(keys.commands)) === hash) return 'unchanged';
    await opts.rest.put(Routes.applicationCommands(await opts.appId()), { body: opts.definitions });
    await opts.redis.set(keys.commands, hash);
    return 'registered';
  } finally {
    await lock.release().catch(() => {});
  }
}

/**
 * Runs syncGlobalCommands in the background until Discord holds these definitions (registered here or by
 * another copy): a failure or a lock held elsewhere is looked at again later, never a restart. Start-up does
 * not wait for it.
 */
export function keepGlobalCommands(
  opts: Parameters<typeof syncGlobalCommands>[0] & { log: Logger; signal: AbortSignal; recheckMs?: number },
): Promise<void> {
  const { log, signal } = opts;
  return (async () => {
    while (!signal.aborted) {
      try {
        const outcome = await syncGlobalCommands(opts);
        if (outcome === 'registered')
          log.info({ commands: opts.definitions.length }, 'global commands registered');
        if (outcome !== 'elsewhere') return;
      } catch (err) {
        log.error({ err: (err as Error).message }, 'registering the global commands failed; retrying');
      }
      await pause(opts.recheckMs ?? RECHECK_MS, signal);
    }
  })().catch(() => {});
}
