import type { JobHandler, MatchJobData } from '@bridge/core';
import { updateCard } from '../cards/update-card.ts';
import { levelsAfterMatch } from '../levels/apply.ts';
import { finishInEveryGuild } from '../matches/fan-out.ts';
import type { MatchContext } from '../matches/match-context.ts';

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
    // Cleaned up here (one guild): its card now, after the clean-up (the card's reads — score, ELO —
    // must not keep players waiting for the lobby). Several: each guild's job updates its own.
    const [only] = guilds;
    if (channels !== undefined && only) {
      await updateCard(ctx, data.matchId, only, { kind: 'ended', event: data.event }, log);
    }
    // Level roles are the player's, in every guild: once per match.
    if (data.event === 'match_status_finished') await levelsAfterMatch(ctx.deps, data.matchId, log);
    return channels === undefined ? { status: 'finished', guilds } : { status: 'finished', channels };
  };
}
