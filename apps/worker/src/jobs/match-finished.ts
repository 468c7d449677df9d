import type { JobHandler, MatchJobData } from '@bridge/core';
import { updateCard } from '../cards/update-card.ts';
import { levelsAfterMatch } from '../levels/apply.ts';
import { guildOf, type MatchContext } from '../matches/match-context.ts';
import { removeMatchChannels } from '../matches/remove-channels.ts';

/** finished/cancelled/aborted: mark ended FIRST (so a concurrent matchCreated compensates), then clean up. */
export function matchFinishedHandler(ctx: MatchContext): JobHandler<MatchJobData> {
  return async (data, { log }) => {
    log.info({ payloadVersion: data.payloadVersion }, 'matchFinished received');
    await ctx.store.end(data.matchId, data.event);
    const channels = await removeMatchChannels(ctx, data.matchId, log);
    log.info({ channels }, 'match finished');
    // After the clean-up: the card's reads (score, ELO) must not keep players waiting for the lobby.
    await updateCard(
      ctx,
      data.matchId,
      (await guildOf(ctx.deps)).id,
      { kind: 'ended', event: data.event },
      log,
    );
    if (data.event === 'match_status_finished') await levelsAfterMatch(ctx.deps, data.matchId, log);
    return { status: 'finished', channels };
  };
}
