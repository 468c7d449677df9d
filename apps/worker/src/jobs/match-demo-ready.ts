import { demoMapOf, type JobHandler, type MatchJobData } from '@bridge/core';
import { updateCard } from '../cards/update-card.ts';
import type { MatchContext } from '../matches/match-context.ts';

/**
 * match_demo_ready: FACEIT sends one per map of a series (its `demo_url` names the map), while the finish
 * comes once per room. Each adds that map's line — with the score once FACEIT's Data API has it — to the
 * match's card in every server that has one: one edit per map, none for a line the card shows already (a
 * redelivery, or a demo after the finish drew every map). A match without a card costs one database read.
 */
export function matchDemoReadyHandler(ctx: MatchContext): JobHandler<MatchJobData> {
  return async (data, { log }) => {
    const demo = demoMapOf(data.details?.demoUrl, data.matchId);
    if (!demo) {
      log.warn(
        { demoUrl: data.details?.demoUrl },
        'match_demo_ready without a demo of this match: nothing to draw',
      );
      return { status: 'no-map' };
    }
    const guilds = await ctx.cards.guildsWithCard(data.matchId);
    if (guilds.length === 0) return { status: 'no-card', map: demo.map };
    const match = await ctx.faceit.getMatch(data.matchId).catch((err: Error) => {
      log.warn(
        { err: err.message },
        'match card: FACEIT match not read for the map; drawn without its score',
      );
      return undefined;
    });
    for (const guildId of guilds) {
      await updateCard(ctx, data.matchId, guildId, { kind: 'map', map: demo.map, match }, log);
    }
    return { status: 'drawn', map: demo.map, guilds: guilds.length };
  };
}
