import {
  type DataApiMatch,
  decideEvent,
  FaceitNotFoundError,
  factionsInPlay,
  type JobHandler,
  type Logger,
  type MatchJobData,
  notFoundDecision,
} from '@bridge/core';
import { type Job, UnrecoverableError } from 'bullmq';
import { buildInGuild } from '../matches/build-in-guild.ts';
import { enqueueGuildBuilds, finishInEveryGuild } from '../matches/fan-out.ts';
import { settingsOf, voiceSettings } from '../matches/guild-settings.ts';
import { dropAhead, type LeaseAhead, routeReadsAhead } from '../matches/lease-ahead.ts';
import type { MatchContext } from '../matches/match-context.ts';
import { routeMatch } from '../matches/routing.ts';

/**
 * object_created/configuring/ready: reads FACEIT once, decides which guilds take the match (their
 * follows), and builds in each: here when one guild takes it, else in one job per (match, guild).
 */
export function matchCreatedHandler(ctx: MatchContext): JobHandler<MatchJobData> {
  return async (data, { job, log }) => {
    log.info({ payloadVersion: data.payloadVersion }, 'matchCreated received');
    // The state check and the FACEIT fetch are independent: overlap them (the fetch is the slow one).
    const [stored, fetched] = await Promise.all([
      ctx.store.touch(data.matchId, data.event, data.payloadVersion),
      ctx.deps.faceit.getMatch(data.matchId).then(
        (m) => ({ ok: true as const, m }),
        (err: unknown) => ({ ok: false as const, err }),
      ),
    ]);
    log.debug('state checked and FACEIT match fetched');
    const decision = decideEvent({ stored, faceitStatus: fetched.ok ? fetched.m.status : undefined });
    if (decision === 'ignore-ended') {
      // Nothing to build. Still sweep the match's leftovers: this may be the retry of a job that died
      // (or failed) between writing its row and noticing the end, and nobody else would remove it.
      const { channels: removed } = await finishInEveryGuild(ctx, data, log);
      log.info({ removed }, 'match already ended: late event ignored');
      return { status: 'ignored-ended' };
    }
    if (!fetched.ok) {
      if (fetched.err instanceof FaceitNotFoundError) {
        // New matches have been reported to 404 for a while: retry with the job's backoff for a
        // bounded window before calling the match unknown.
        const decision = notFoundDecision({
          occurredAt: new Date(data.occurredAt),
          receivedAt: new Date(data.receivedAt),
          now: new Date(),
          attemptsLeft: (job.opts.attempts ?? 1) - (job.attemptsMade + 1),
        });
        if (decision === 'retry') {
          throw new Error(`${fetched.err.message} for match ${data.matchId}: not visible yet? retrying`);
        }
        throw new UnrecoverableError(
          `${fetched.err.message}: the match id ${data.matchId} is unknown to FACEIT (still 404 after retrying)`,
        );
      }
      throw fetched.err;
    }
    const match = fetched.m;
    if (decision === 'finish') {
      log.info({ faceitStatus: match.status }, 'FACEIT reports the match ended: finishing it');
      await ctx.store.end(data.matchId, `faceit-${match.status?.toLowerCase()}`);
      await finishInEveryGuild(ctx, data, log);
      return { status: 'finished' };
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
    // for the home guild's first channel lease (it takes almost every match it sees).
    const { reads, ahead } = routeReadsAhead(ctx, match, job);
    try {
      return await routeAndBuild(ctx, data, match, reads, ahead, job, log);
    } finally {
      // Unless the home guild's build took it over: routing went elsewhere, or a read failed.
      await dropAhead(ctx, data.matchId, ahead);
    }
  };
}

/** Which guilds take the match; one builds here, several (or an undecided one) get a job each. */
async function routeAndBuild(
  ctx: MatchContext,
  data: MatchJobData,
  match: DataApiMatch,
  reads: ReturnType<typeof routeReadsAhead>['reads'],
  ahead: LeaseAhead | undefined,
  job: Job,
  log: Logger,
) {
  const { links, candidates } = await reads;
  await seedLanded(ctx, candidates);
  const { take, undecided } = await routeMatch(ctx, match, candidates, links);
  if (take.length === 0 && undecided.length === 0) {
    log.info(
      { competitionId: match.competition_id, organizerId: match.organizer_id },
      'no guild follows this match: nothing to build',
    );
    return { status: 'not-followed' };
  }
  // One guild: it builds here (no second hop; the single-guild mode's path). Several, or a guild still
  // undecided: a job per guild, so each one's permissions, category and rate limits are its own.
  if (take.length === 1 && undecided.length === 0) {
    const [only] = take as [(typeof take)[number]];
    const taken = ahead?.guildId === only.guild.id ? ahead : undefined;
    return buildInGuild(ctx, only.guild, voiceSettings(only.settings), match, only.links, job, log, taken);
  }
  // The lease asked for ahead goes back before the guilds' own jobs can ask for it.
  await dropAhead(ctx, data.matchId, ahead);
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
  const own = ctx.deps.config.DISCORD_GUILD_ID;
  if (!own || candidates.some((c) => c.settings.guild_id === own)) return;
  await settingsOf(ctx, own);
}
