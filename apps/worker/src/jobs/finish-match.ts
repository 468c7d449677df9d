import { channelsOfMatch, type Logger } from '@bridge/core';
import {
  bridgeVoiceChannels,
  deleteChannel,
  MoveRefusedError,
  membersInVoice,
  moveMember,
  removeEmptyOverflow,
} from '../discord/channels.ts';
import { guildOf, type MatchContext } from './match-context.ts';

/**
 * Removes everything of a match whose ended marker is already set: members go to the lobby, channels
 * (known by row, or found by deterministic name + bot marker, e.g. created just before a crash) are
 * deleted, then the rows. Idempotent.
 */
export async function finishMatch(ctx: MatchContext, matchId: string, log: Logger): Promise<number> {
  const { config } = ctx.deps;
  const guild = await guildOf(ctx.deps);
  const rows = await ctx.store.rows(matchId);
  const ids = channelsOfMatch({
    matchId,
    template: config.VC_NAME_TEMPLATE,
    rowChannelIds: rows.map((r) => r.voice_channel_id),
    bridgeChannels: bridgeVoiceChannels(guild, config.VC_CATEGORY_ID),
  });
  for (const id of ids) {
    if (config.VC_LOBBY_CHANNEL_ID) {
      for (const userId of membersInVoice(guild, id)) {
        try {
          await moveMember(guild, userId, config.VC_LOBBY_CHANNEL_ID);
          log.info({ userId, channelId: id }, 'member moved to the lobby');
        } catch (err) {
          // One refused move must not keep the channel (and the team's voice) alive: deleting it
          // disconnects whoever is left.
          if (!(err instanceof MoveRefusedError)) throw err;
          log.warn(
            { userId, channelId: id, err: err.message },
            'member not moved to the lobby: Discord refused',
          );
        }
      }
    }
    await deleteChannel(guild, id);
    log.info({ channelId: id }, 'match channel deleted');
  }
  for (const row of rows) await ctx.store.forget(matchId, row.faction);
  const removed = await removeEmptyOverflow(guild, config.VC_CATEGORY_ID);
  if (removed.length > 0) log.info({ categories: removed }, 'empty overflow categories removed');
  return ids.length;
}
