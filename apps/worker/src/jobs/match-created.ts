import {
  type DataApiMatch,
  decideEvent,
  type EventStamp,
  FaceitNotFoundError,
  faceitEndStamp,
  factionsInPlay,
  type JobHandler,
  type Logger,
  type MatchJobData,
  notFoundDecision,
} from '@bridge/core';
import { type Job, UnrecoverableError } from 'bullmq';
import { buildInGuild } from '../matches/build-in-guild.ts';
import { enqueueGuildBuilds, finishInEveryGuild } from '../matches/fan-out.ts';
import { GuildBuild } from '../matches/guild-build.ts';
import { settingsOf, voiceSettings } from '../matches/guild-settings.ts';
import { dropAhead, type RouteAhead, routeReadsAhead } from '../matches/lease-ahead.ts';
import type { MatchContext } from '../matches/match-context.ts';
import { type Routed, routeMatch } from '../matches/routing.ts';
import { stampOf } from './match-finished.ts';

/**
 * object_created/configuring/ready: reads FACEIT once, decides which guilds take the match (their
 * follows), and builds in each: here when one guild takes it, else in one job per (match, guild).
 */
export function matchCreatedHandler(ctx: MatchContext): JobHandler<MatchJobData> {
  return async (data, { job, log }) => {
    log.info({ payloadVersion: data.payloadVersion }, 'matchCreated received');
    // The state check and the FACEIT fetch are independent: overlap them (the fetch is the slow one).
    const [stored, fetched] = await Promise.all([
      ctx.matches.touchState(data.matchId, data.event, data.payloadVersion),
      ctx.faceit.getMatch(data.matchId).then(
        (m) => ({ ok: true as const, m }),
        (err: unknown) => ({ ok: false as const, err }),
      ),
    ]);
    log.debug('state checked and FACEIT match fetched');
    const event = stampOf(data);
    const decision = decideEvent({
      stored,
      faceit: fetched.ok ? { status: fetched.m.status } : 'unreadable',
      event,
    });
    if (decision === 'ignore-ended') return ignoreEnded(ctx, data, stored.reopens, log);
    if (!fetched.ok) return notFetched(fetched.err, data, job);
    const match = fetched.m;
    if (decision === 'finish') {
      log.info({ faceitStatus: match.status }, 'FACEIT reports the match ended: finishing it');
      const end = faceitEndStamp(match, event.at);
      await ctx.matches.endBy(data.matchId, `faceit-${match.status?.toLowerCase()}`, end, null);
      await finishInEveryGuild(ctx, data, log, stored.reopens);
      return { status: 'finished' };
    }
    if (decision === 'schedule') {
      // A championship match is created days before it is played: channels come when FACEIT configures it
      // (with the roster as it is then), and the sweep's age limit does not run meanwhile.
      const scheduledAt = scheduledAtOf(match);
      log.info({ faceitStatus: match.status, scheduledAt }, 'match scheduled on FACEIT: no channels yet');
      return { status: 'scheduled', scheduledAt };
    }
    let cycle = stored.reopens;
    let live = stored.live;
    if (decision === 'reopen') {
      const reopened = await reopen(ctx, data, event, log);
      if (!reopened) return ignoreEnded(ctx, data, stored.reopens, log);
      ({ cycle } = reopened);
      live = false;
    }
    // Channels only for factions with someone playing: a bye team or a side FACEIT has not filled yet
    // gets none (a later event converges again). Nobody on either side: nothing to build, no retry.
    if (factionsInPlay(match).length === 0) {
      log.info(
        {
          faceitStatus: match.status,
          // FACEIT's team ids: a `bye` shows up here.
          teams: [match.teams?.faction1?.faction_id ?? null, match.teams?.faction2?.faction_id ?? null],
        },
        'no players on either side (a bye, or rosters not filled yet): nothing to build',
      );
      return { status: 'no-players' };
    }

    // Which guilds take it (with their settings) and the player links, in one round trip that also asks
    // for the home guild's first channel lease (it takes almost every match it sees). The match's age
    // limit starts now, written meanwhile (only the first time).
    const ahead = routeReadsAhead(ctx, match, job);
    const marked = live ? undefined : ctx.matches.markLive(data.matchId);
    const [result] = await Promise.all([routeAndBuild(ctx, { data, match, job, log, cycle }, ahead), marked]);
    return result;
  };
}

/**
 * The match ended and stays ended. Nothing to build, but its leftovers are swept: this may be the retry of
 * a job that died (or failed) between writing its row and noticing the end, and nobody else would remove it.
 */
async function ignoreEnded(ctx: MatchContext, data: MatchJobData, cycle: number, log: Logger) {
  const { channels: removed } = await finishInEveryGuild(ctx, data, log, cycle);
  log.info({ removed }, 'match already ended: late event ignored');
  return { status: 'ignored-ended' };
}

/** FACEIT could not be read: a 404 is retried for a bounded window (new matches 404 for a while). */
function notFetched(err: unknown, data: MatchJobData, job: Job): never {
  if (err instanceof FaceitNotFoundError) {
    const decision = notFoundDecision({
      occurredAt: new Date(data.occurredAt),
      receivedAt: new Date(data.receivedAt),
      now: new Date(),
      attemptsLeft: (job.opts.attempts ?? 1) - (job.attemptsMade + 1),
    });
    if (decision === 'retry') {
      throw new Error(`${err.message} for match ${data.matchId}: not visible yet? retrying`);
    }
    throw new UnrecoverableError(
      `${err.message}: the match id ${data.matchId} is unknown to FACEIT (still 404 after retrying)`,
    );
  }
  throw err;
}

/**
 * FACEIT restarted a match we had ended: active again, as a new cycle (new channels, moves again, the card
 * back to live). null: another event got there first with an older view (stale). A restart racing the
 * previous cycle's clean-up waits for it (retried). The job that had ended the match is removed from the
 * queue, so that FACEIT's copy of that very finish — how the captures end a restarted match — is not
 * taken for a duplicate.
 */
async function reopen(
  ctx: MatchContext,
  data: MatchJobData,
  event: EventStamp,
  log: Logger,
): Promise<{ cycle: number } | null> {
  const r = await ctx.matches.reopen(data.matchId, event);
  if (r.result === 'stale' || r.result === 'missing') return null;
  if (r.result === 'busy') {
    throw new Error(`match ${data.matchId} restarted by FACEIT while its last clean-up runs: retrying`);
  }
  if (r.result === 'reopened') {
    log.info({ cycle: r.cycle }, 'FACEIT restarted the match: re-opened');
    if (r.endedJob) await ctx.queues.cleanup.remove(r.endedJob).catch(() => 0);
  }
  return { cycle: r.cycle };
}

/** FACEIT's `scheduled_at` (epoch seconds) as an ISO time, when it gave one. */
function scheduledAtOf(match: DataApiMatch): string | undefined {
  const at = Number((match as Record<string, unknown>).scheduled_at);
  return Number.isFinite(at) && at > 0 ? new Date(at * 1000).toISOString() : undefined;
}

/** One run of matchCreated for a match it builds: what routing and the build read of it. */
interface CreateRun {
  data: MatchJobData;
  match: DataApiMatch;
  job: Job;
  log: Logger;
  cycle: number;
}

/** Which guilds take the match; one builds here, several (or an undecided one) get a job each. */
async function routeAndBuild(ctx: MatchContext, run: CreateRun, ahead: RouteAhead) {
  const { data, match, log } = run;
  let routed: Routed;
  try {
    const { links, candidates } = await ahead.reads;
    await seedLanded(ctx, candidates);
    routed = await routeMatch(ctx, match, candidates, links);
    // One guild: it builds here (no second hop; the single-guild mode's path), taking over the lease asked
    // for ahead when it is this guild's.
    const [only, ...others] = routed.take;
    if (only && others.length === 0 && routed.undecided.length === 0) {
      const { guild, settings, links } = only;
      const { holder, leases } = ahead;
      const build = new GuildBuild({
        ctx,
        guild,
        settings: voiceSettings(settings),
        match,
        holder,
        log,
        leases,
      });
      return await buildInGuild(build, { links, cycle: run.cycle, job: run.job });
    }
  } finally {
    // The run owns the lease asked for ahead: unless a build took it over, it goes back here, before the
    // guilds' own jobs can ask for it.
    await dropAhead(ctx, ahead);
  }
  const { take, undecided } = routed;
  if (take.length === 0 && undecided.length === 0) {
    log.info(
      { competitionId: match.competition_id, organizerId: match.organizer_id },
      'no guild follows this match: nothing to build',
    );
    return { status: 'not-followed' };
  }
  // Several guilds, or a guild still undecided: a job per guild, so each one's permissions, category and
  // rate limits are its own.
  await enqueueGuildBuilds(
    ctx,
    data,
    match,
    take.map((t) => t.guild.id),
  );
  log.info({ guilds: take.map((t) => t.guild.id) }, 'match fanned out to the guilds that follow it');
  if (undecided.length > 0) {
    // The routing job retries for these only: the others' ids are taken.
    throw new Error(
      `membership not readable in guild(s) ${undecided.map((u) => `${u.guildId} (${u.err})`).join(', ')}; retrying`,
    );
  }
  return { status: 'routed', guilds: take.map((t) => t.guild.id) };
}

/**
 * DISCORD_GUILD_ID's settings are seeded at start (retried in the background while the database is
 * down): a match arriving before that lands is retried, not dropped as followed by nobody. Asked only when
 * that guild is not among the candidates (it follows all unless narrowed with /setup).
 */
async function seedLanded(ctx: MatchContext, candidates: readonly { settings: { guild_id: string } }[]) {
  const own = ctx.config.DISCORD_GUILD_ID;
  if (!own || candidates.some((c) => c.settings.guild_id === own)) return;
  await settingsOf(ctx, own);
}
