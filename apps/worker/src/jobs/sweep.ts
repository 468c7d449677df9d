import {
  type BridgeChannel,
  FaceitNotFoundError,
  faceitEndStamp,
  type GuildSettings,
  type JobHandler,
  type Logger,
  type MatchEvent,
  orphanChannels,
  type PruneResult,
  redisKey,
  type SweepJobData,
  sweepVerdict,
} from '@bridge/core';
import type { Guild } from 'discord.js';
import { updateCard } from '../cards/update-card.ts';
import { bridgeVoiceChannels, deleteChannel, removeEmptyOverflow } from '../discord/channels.ts';
import { categoryLease } from '../lib/leases.ts';
import { type VoiceSettings, voiceSettings } from '../matches/guild-settings.ts';
import { guildById, type MatchContext } from '../matches/match-context.ts';
import { removeMatchChannels } from '../matches/remove-channels.ts';

/**
 * Periodic clean-up: ends matches FACEIT reports as ended (or too old) through the same path as
 * matchFinished, finishes the clean-up of ended matches that still have rows, then deletes channels this
 * bridge created (deterministic name AND bot marker, in the managed categories) that no row and no active
 * match knows. Never touches anything else. Also prunes what the database keeps about matches that ended
 * more than MATCH_RETENTION_DAYS ago.
 */
export function sweepHandler(ctx: MatchContext): JobHandler<SweepJobData> {
  return (_data, { log }) => runSweep(ctx, log);
}

async function runSweep(
  ctx: MatchContext,
  log: Logger,
): Promise<{
  ended: number;
  orphans: number;
  pruned: PruneResult;
  /** the guilds listed for orphans: where the bridge owns something, and the slow pass's page */
  listed: { owned: number; slowPass: number };
}> {
  const endedNow = await endStaleMatches(ctx, log);
  // Database only, so a Discord outage below does not stop the data from being pruned.
  const pruned = await pruneRetained(ctx, log);
  // One guild's failure (a missing permission, Discord down there) leaves the others' work done; the
  // problems are reported (the job fails, and says where) once every guild had its turn.
  const problems: string[] = [];
  const finished = await finishCutShortCleanups(ctx, endedNow, problems, log);
  const { orphans, listed } = await deleteOrphansEverywhere(ctx, problems, log);
  if (problems.length > 0) throw new Error(`sweep: ${problems.join('; ')}`);
  return { ended: endedNow.size + finished, orphans, pruned, listed };
}

/**
 * Phase 1: ends the live matches FACEIT reports ended, or that are too old (a match never live is not asked
 * about). The matches ended now, each with the card's last stage when FACEIT said how it ended (a finish the
 * webhook did not get confirmed).
 */
async function endStaleMatches(ctx: MatchContext, log: Logger): Promise<Map<string, MatchEvent | undefined>> {
  const endedNow = new Map<string, MatchEvent | undefined>();
  for (const m of await ctx.matches.listLive()) {
    const ended = await sweepMatch(ctx, m, log);
    if (ended) endedNow.set(m.match_id, ended.as);
  }
  return endedNow;
}

/** One live match's verdict, and its end when it is over: its guilds are cleaned up in phase 3. */
async function sweepMatch(
  ctx: MatchContext,
  m: { match_id: string; created_at: string; live_since: string | null },
  log: Logger,
): Promise<{ as: MatchEvent | undefined } | null> {
  const liveSince = m.live_since ? new Date(m.live_since) : null;
  const base = {
    createdAt: new Date(m.created_at),
    liveSince,
    now: new Date(),
    maxAgeHours: ctx.config.MATCH_MAX_AGE_HOURS,
  };
  if (liveSince === null) {
    // Never live (scheduled days ahead): no channels, FACEIT is not asked; forgotten after a long while.
    const verdict = sweepVerdict(base);
    if (verdict === 'keep') return null;
    await ctx.matches.endBy(m.match_id, `sweep-${verdict}`, { version: null, at: new Date() }, null);
    log.info({ matchId: m.match_id, verdict }, 'sweep ended match');
    return { as: undefined };
  }
  let status: string | null | undefined;
  let finishedAt: number | null | undefined;
  // A 404 is not proof the match is gone (new matches have been reported to 404 for a while): it
  // starts or extends a streak, and only a long enough streak of consecutive 404 sweeps ends it.
  let missing: { sweeps: number; forMs: number } | undefined;
  try {
    ({ status, finished_at: finishedAt } = await ctx.faceit.getMatch(m.match_id));
  } catch (err) {
    if (!(err instanceof FaceitNotFoundError)) {
      log.warn({ matchId: m.match_id, err: (err as Error).message }, 'sweep cannot read match; kept');
      return null;
    }
    missing = await ctx.matches.noteMissing(m.match_id);
  }
  if (!missing) await ctx.matches.clearMissing(m.match_id);
  const verdict = sweepVerdict({ ...base, faceitStatus: status, missing });
  if (verdict === 'keep' && missing) {
    log.warn(
      { matchId: m.match_id, sweeps: missing.sweeps, missingForMs: missing.forMs },
      'FACEIT answers 404 for an active match; kept until 404s on consecutive sweeps span 30 min',
    );
  }
  if (verdict === 'keep') return null;
  const end = faceitEndStamp({ finished_at: verdict === 'ended' ? finishedAt : null }, new Date());
  await ctx.matches.endBy(m.match_id, `sweep-${verdict}`, end, null);
  log.info({ matchId: m.match_id, verdict }, 'sweep ended match');
  return { as: verdict === 'ended' ? endEventOf(status) : undefined };
}

/**
 * Phase 2: what the database keeps about matches that ended more than MATCH_RETENTION_DAYS ago goes, and
 * servers that removed the bot and did not re-invite it within GUILD_RETENTION_DAYS are forgotten for good.
 */
async function pruneRetained(ctx: MatchContext, log: Logger): Promise<PruneResult> {
  const pruned = await ctx.matches.prune(ctx.config.MATCH_RETENTION_DAYS);
  const forgottenGuilds = await ctx.guilds.expireShelf(ctx.config.GUILD_RETENTION_DAYS);
  if (forgottenGuilds > 0)
    log.info({ guilds: forgottenGuilds }, 'sweep forgot removed servers past their grace period');
  return pruned;
}

/**
 * Phase 3: ended matches whose rows outlived their clean-up (just ended in phase 1, or a job that failed or
 * died half-way), per (match, guild): their channels would otherwise count as known forever. How many
 * matches ended earlier were finished here.
 */
async function finishCutShortCleanups(
  ctx: MatchContext,
  endedNow: ReadonlyMap<string, MatchEvent | undefined>,
  problems: string[],
  log: Logger,
): Promise<number> {
  const finished = new Set<string>();
  for (const { matchId, guildId } of await ctx.matches.endedWithRows()) {
    const guild = await guildById(ctx, guildId);
    if (!guild) continue; // the bot left it: GUILD_DELETE forgets its rows
    const at = log.child({ matchId, guildId });
    try {
      await removeMatchChannels(ctx, guild, matchId, at);
      at.info('sweep finished the clean-up of an ended match');
      const as = endedNow.get(matchId);
      if (as) await updateCard(ctx, matchId, guildId, { kind: 'ended', event: as }, at);
      if (!endedNow.has(matchId)) finished.add(matchId);
    } catch (err) {
      problems.push(`clean-up of ${matchId} in guild ${guildId}: ${(err as Error).message}`);
      at.warn({ err: (err as Error).message }, 'sweep could not clean up an ended match in this guild');
    }
  }
  return finished.size;
}

/** A guild listed for orphans: its settings and the bridge's channels in it. */
interface Listed {
  guild: Guild;
  settings: VoiceSettings;
  channels: BridgeChannel[];
}

/**
 * Phase 4: orphans, in the guilds where the bridge owns something and in this sweep's page of the slow pass
 * over every guild with settings (one guild's failure does not stop the others). Every guild is listed first,
 * then the rows and the active matches are read once: a job marks its match active before it creates a
 * channel, so every channel in a listing is either recorded or of a match read as active after it. Read
 * before the listings (as this sweep once did), a channel created and recorded in between was deleted.
 */
async function deleteOrphansEverywhere(
  ctx: MatchContext,
  problems: string[],
  log: Logger,
): Promise<{ orphans: number; listed: { owned: number; slowPass: number } }> {
  const failed = (guildId: string, err: unknown) => {
    problems.push(`orphans in guild ${guildId}: ${(err as Error).message}`);
    log.warn({ guildId, err: (err as Error).message }, 'sweep could not look for orphans here');
  };
  const pace = pacer(SWEEP_REQUEST_MS);
  const { targets, passed } = await sweepGuilds(ctx);
  const listed: Listed[] = [];
  for (const row of targets) {
    await pace();
    // The door reads the guild with a fresh listing of its channels (none shared): that is the listing.
    const guild = await guildById(ctx, row.guild_id, 'none').catch((err: unknown) => {
      failed(row.guild_id, err);
      return null;
    });
    if (!guild) continue;
    const settings = voiceSettings(row);
    listed.push({ guild, settings, channels: bridgeVoiceChannels(guild, settings.categoryId) });
  }
  let orphans = 0;
  if (listed.length > 0) {
    const [knownChannelIds, active] = await Promise.all([
      ctx.matches.allChannelIds(),
      ctx.matches.listActive(),
    ]);
    const known = { knownChannelIds, activeMatchIds: active.map((m) => m.match_id) };
    for (const at of listed) {
      try {
        orphans += await deleteOrphans(ctx, at, known, log, pace);
      } catch (err) {
        failed(at.guild.id, err);
      }
    }
  }
  log.info(
    { guilds: listed.length, owned: targets.length - passed, slowPass: passed, orphans },
    'sweep looked for orphans',
  );
  return { orphans, listed: { owned: targets.length - passed, slowPass: passed } };
}

/** The webhook event FACEIT's end status stands for (the card draws the end from it). */
function endEventOf(status: string | null | undefined): MatchEvent | undefined {
  const s = (status ?? '').toUpperCase();
  if (s === 'FINISHED') return 'match_status_finished';
  if (s === 'CANCELLED') return 'match_status_cancelled';
  if (s === 'ABORTED') return 'match_status_aborted';
  return undefined;
}

/** Deletes those of the listed channels that no row and no active match knows. */
async function deleteOrphans(
  ctx: MatchContext,
  { guild, settings, channels }: Listed,
  known: { knownChannelIds: ReadonlySet<string>; activeMatchIds: readonly string[] },
  log: Logger,
  pace: () => Promise<void>,
): Promise<number> {
  const orphaned = orphanChannels({ template: settings.nameTemplate, ...known, bridgeChannels: channels });
  for (const ch of orphaned) {
    await pace();
    await deleteChannel(guild, ch.id);
    log.info({ guildId: guild.id, channelId: ch.id, name: ch.name }, 'sweep deleted orphan channel');
  }
  await pace();
  await removeEmptyOverflow(guild, settings.categoryId, categoryLease(ctx, settings.categoryId));
  return orphaned.length;
}

/**
 * The sweep's Discord requests (guild reads, listings, orphan deletes) go out one per this long at most: 5 a
 * second, a tenth of Discord's 50, so the match work keeps the rest of the budget.
 */
export const SWEEP_REQUEST_MS = 200;
/** The slow pass looks at every guild with settings at least once in this long. */
export const SLOW_PASS_MS = 24 * 3600_000;

/** Waits as long as it takes to keep calls at least `everyMs` apart. */
function pacer(everyMs: number): () => Promise<void> {
  let next = 0;
  return async () => {
    const now = Date.now();
    const at = Math.max(now, next);
    next = at + everyMs;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  };
}

/**
 * Whom this sweep looks at for orphans: every guild where the bridge owns something (channel rows, an
 * unrecorded create), each time; and the next page of a slow pass over every guild with settings, sized so the
 * pass goes round at least once per SLOW_PASS_MS (an orphan elsewhere, e.g. a channel left by a clean-up that
 * lost its rows, is found within a day). The pass's place is kept in Redis between sweeps.
 */
async function sweepGuilds(ctx: MatchContext): Promise<{ targets: GuildSettings[]; passed: number }> {
  const { redis, config } = ctx;
  const cursorKey = redisKey(redis, config.QUEUE_PREFIX, 'maintenance', 'sweep-pass-cursor');
  const [owned, count, cursor] = await Promise.all([
    ctx.guilds.sweepTargets(),
    ctx.guilds.count(),
    redis.get(cursorKey),
  ]);
  const size = Math.max(1, Math.ceil((count * config.SWEEP_INTERVAL_MS) / SLOW_PASS_MS));
  let page = await ctx.guilds.page(cursor ?? '', size);
  if (page.length < size && cursor) {
    // Round again from the start.
    page = [...page, ...(await ctx.guilds.page('', size - page.length))];
  }
  const last = page.at(-1);
  if (last) await redis.set(cursorKey, last.guild_id);
  const byId = new Map(owned.map((g) => [g.guild_id, g]));
  let passed = 0;
  for (const g of page) {
    if (byId.has(g.guild_id)) continue;
    byId.set(g.guild_id, g);
    passed++;
  }
  return { targets: [...byId.values()], passed };
}
