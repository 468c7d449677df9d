import type { MatchJobData } from '@bridge/core';
import { finishInEveryGuild } from '../matches/fan-out.ts';
import type { MatchContext } from '../matches/match-context.ts';
import type { JobHandler } from './types.ts';

/**
 * finished/cancelled/aborted: mark ended FIRST (so a concurrent build compensates), then clean up in
 * every guild that built for the match.
 */
export function matchFinishedHandler(ctx: MatchContext): JobHandler<MatchJobData> {
  return async (data, { log }) => {
    log.info({ payloadVersion: data.payloadVersion }, 'matchFinished received');
    await ctx.store.end(data.matchId, data.event);
    const { guilds, channels } = await finishInEveryGuild(ctx, data, log);
    log.info({ channels, guilds }, 'match finished');
    return channels === undefined ? { status: 'finished', guilds } : { status: 'finished', channels };
  };
}
