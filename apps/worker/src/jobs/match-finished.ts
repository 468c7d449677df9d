import { decideFinish, type EventStamp, isForfeit, type JobHandler, type MatchJobData } from '@bridge/core';
import { updateCard } from '../cards/update-card.ts';
import { levelsAfterMatch } from '../levels/apply.ts';
import { readFaceitWithin } from '../matches/faceit-view.ts';
import { finishInEveryGuild } from '../matches/fan-out.ts';
import type { MatchContext } from '../matches/match-context.ts';

/** The event's place in the match's history: FACEIT's version and time (our receipt if the time is bad). */
export function stampOf(
  data: Pick<MatchJobData, 'payloadVersion' | 'occurredAt' | 'receivedAt'>,
): EventStamp {
  const at = new Date(data.occurredAt);
  return {
    version: data.payloadVersion,
    at: Number.isFinite(at.getTime()) ? at : new Date(data.receivedAt),
  };
}

/**
 * finished/cancelled/aborted: acted on only when FACEIT's Data API agrees the match is over (a finish
 * for a match FACEIT still runs — forged, or a stale copy — leaves the channels: the sweep ends the match
 * once FACEIT does), or when FACEIT cannot be read within FINISH_CONFIRM_BUDGET_MS (an outage never keeps
 * a finished match's channels). Then: mark ended FIRST (so a concurrent build compensates), then clean up
 * in every guild that built for the match.
 */
export function matchFinishedHandler(ctx: MatchContext): JobHandler<MatchJobData> {
  return async (data, { job, log }) => {
    log.info({ payloadVersion: data.payloadVersion }, 'matchFinished received');
    // FACEIT is asked while the stored state is read (the Data API read is the slow one).
    const [stored, faceit] = await Promise.all([
      ctx.matches.state(data.matchId),
      readFaceitWithin(ctx, data.matchId, log),
    ]);
    const event = stampOf(data);
    const decision = decideFinish({ stored, faceit: faceit.view, event });
    if (decision === 'unconfirmed') {
      const faceitStatus = faceit.view === 'unreadable' ? undefined : faceit.view.status;
      log.warn(
        { faceitStatus },
        'finish not confirmed by FACEIT (it reports the match as running): not acted on; the sweep ends the match once FACEIT does',
      );
      return { status: 'unconfirmed', faceitStatus };
    }
    if (decision === 'stale') {
      log.info('finish older than the match’s restart, and FACEIT unreadable: ignored');
      return { status: 'stale' };
    }
    await ctx.matches.endBy(data.matchId, data.event, event, job.id ?? null);
    const cycle = stored?.reopens ?? 0;
    const { guilds, channels } = await finishInEveryGuild(ctx, data, log, cycle);
    log.info({ channels, guilds }, 'match finished');
    // Cleaned up here (one guild): its card now, after the clean-up (the card's reads — score, ELO —
    // must not keep players waiting for the lobby). Several: each guild's job updates its own.
    const [only] = guilds;
    if (channels !== undefined && only) {
      const change = {
        kind: 'ended' as const,
        event: data.event,
        match: faceit.match,
        cycle,
        details: data.details,
      };
      await updateCard(ctx, data.matchId, only, change, log);
    }
    // Level roles are the player's, in every guild: once per match; a forfeit changed no level.
    const forfeit = isForfeit({
      payloadStartedAt: data.details?.startedAt,
      faceitStartedAt: faceit.match ? (faceit.match.started_at ?? null) : undefined,
    });
    if (data.event === 'match_status_finished' && !forfeit) await levelsAfterMatch(ctx, data.matchId, log);
    return channels === undefined ? { status: 'finished', guilds } : { status: 'finished', channels };
  };
}
