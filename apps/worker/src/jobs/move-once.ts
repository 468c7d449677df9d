import type { Guild } from 'discord.js';
import { moveMember } from '../discord/channels.ts';
import type { MatchContext } from './match-context.ts';

/**
 * Moves a player into their team channel at most once per match: the SQL claim decides (so a player
 * who leaves on purpose is not dragged back, and only one worker copy acts). A move that does not
 * happen — not connected after all, or an error — gives the claim back so a later connect still moves.
 * Returns true when this call moved them.
 */
export async function moveOnce(
  ctx: MatchContext,
  guild: Guild,
  matchId: string,
  userId: string,
  currentChannelId: string,
  channelId: string,
): Promise<boolean> {
  if (!(await ctx.store.claimMove(matchId, userId))) return false;
  if (currentChannelId === channelId) return false;
  try {
    if (await moveMember(guild, userId, channelId)) return true;
    await ctx.store.unclaimMove(matchId, userId);
    return false;
  } catch (err) {
    await ctx.store.unclaimMove(matchId, userId).catch(() => {});
    throw err;
  }
}
