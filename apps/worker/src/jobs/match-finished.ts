import type { JobHandler, MatchJobData } from '@bridge/core';
import type { MatchContext } from '../matches/match-context.ts';
import { removeMatchChannels } from '../matches/remove-channels.ts';

/** finished/cancelled/aborted: mark ended FIRST (so a concurrent matchCreated compensates), then clean up. */
export function matchFinishedHandler(ctx: MatchContext): JobHandler<MatchJobData> {
  return async (data, { log }) => {
    log.info({ payloadVersion: data.payloadVersion }, 'matchFinished received');
    await ctx.store.end(data.matchId, data.event);
    const channels = await removeMatchChannels(ctx, data.matchId, log);
    log.info({ channels }, 'match finished');
    return { status: 'finished', channels };
  };
}
