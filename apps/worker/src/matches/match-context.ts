import type { GuildStore, MatchStore } from '@bridge/core';
import { UnrecoverableError } from 'bullmq';
import type { Guild } from 'discord.js';
import type { WorkerDeps } from '../deps.ts';
import { keepAlive, LEASE, pause } from './lease-timing.ts';

/** What the match jobs, the sweep and the late-join listener use of the worker. */
export type MatchDeps = Pick<
  WorkerDeps,
  'config' | 'log' | 'client' | 'faceit' | 'links' | 'cards' | 'levels' | 'guildView' | 'queues' | 'metrics'
>;

/** What the match jobs share: those deps plus the lifecycle and guild stores. */
export interface MatchContext {
  deps: MatchDeps;
  store: MatchStore;
  guilds: GuildStore;
}

/**
 * A guild the bot is in, from the cache (or Discord), or null when the bot is not (any more) in it.
 */
export async function guildById(
  deps: Pick<WorkerDeps, 'client' | 'guildView'>,
  id: string,
): Promise<Guild | null> {
  // With shard leases the client holds no gateway cache: the shared guild view answers (18b).
  if (deps.guildView) return (await deps.guildView(id).catch(() => null)) ?? null;
  return deps.client.guilds.cache.get(id) ?? (await deps.client.guilds.fetch(id).catch(() => null));
}

/** guildById for a job that must build or clean up there: not being in the guild is final. */
export async function guildOf(
  deps: Pick<WorkerDeps, 'config' | 'client' | 'guildView'>,
  id: string,
): Promise<Guild> {
  const guild = await guildById(deps, id);
  if (!guild) {
    const hint =
      id === deps.config.DISCORD_GUILD_ID ? 'invite it, or fix DISCORD_GUILD_ID' : 'invite it again';
    throw new UnrecoverableError(`the bot is not in guild ${id}: ${hint}`);
  }
  return guild;
}

/**
 * Runs `fn` holding a SQL lease, renewed while `fn` runs (so it covers all of it, however long Discord
 * makes it wait). A lease held elsewhere is waited for in-process for a little longer than one lease
 * (a dead holder's lease lapses meanwhile), then it is a retryable error (BullMQ backs off).
 */
export async function withLease<T>(
  ctx: MatchContext,
  key: string,
  holder: string,
  fn: () => Promise<T>,
): Promise<T> {
  return withLeaseTaken(
    ctx,
    key,
    holder,
    async () => ((await ctx.store.takeLease(key, holder, LEASE.ttlSeconds)) ? true : null),
    fn,
  );
}

/**
 * withLease where the first take is `take` (null: held elsewhere), which may read what the holder needs
 * in the same round trip; `fn` gets its answer. Renewals use the plain lease.
 */
export async function withLeaseTaken<R, T>(
  ctx: MatchContext,
  key: string,
  holder: string,
  take: () => Promise<R | null>,
  fn: (taken: R) => Promise<T>,
): Promise<T> {
  // Leases are held for a few round trips: wait a little in-process rather than failing the job into
  // BullMQ's exponential backoff (which turned a burst of matches into seconds of idle retries).
  const deadline = Date.now() + LEASE.waitMs;
  let taken = await take();
  for (let tries = 0; taken === null; tries++) {
    if (Date.now() > deadline) throw new Error(`lease ${key} is held by another worker; retrying later`);
    // Short at first (leases are usually held for a few round trips), then no busier than 2/s.
    await pause(Math.min(25 * 2 ** tries, 500) * (1 + Math.random()));
    taken = await take();
  }
  const stop = keepAlive(
    () => ctx.store.takeLease(key, holder, LEASE.ttlSeconds),
    LEASE.renewEveryMs,
    (err) => ctx.deps.log.error({ lease: key, holder, err: err?.message }, 'lease lost while holding it'),
  );
  try {
    return await fn(taken);
  } finally {
    stop();
    // Not awaited: the caller's next steps (moves) need not wait for the release round trip. A
    // concurrent taker that comes in before it lands retries later, as with any held lease.
    void ctx.store.releaseLease(key, holder).catch(() => {});
  }
}
