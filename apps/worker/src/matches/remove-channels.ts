import { type ActiveMatchRow, channelsOfMatch, type Logger } from '@bridge/core';
import type { Guild } from 'discord.js';
import { cardVoiceStatusSet, clearVoiceStatus } from '../cards/voice-status.ts';
import {
  bridgeVoiceChannels,
  deleteChannel,
  MoveRefusedError,
  moveMember,
  removeEmptyOverflow,
} from '../discord/channels.ts';
import { membersInVoice } from '../discord/voice.ts';
import { categoryLease } from '../lib/leases.ts';
import { settingsOf, type VoiceSettings } from './guild-settings.ts';
import type { MatchContext } from './match-context.ts';

/**
 * Removes everything of a match in one guild, once its ended marker is set: members go to the lobby, channels
 * (known by row, or found by deterministic name + bot marker, e.g. created just before a crash) are
 * deleted, then the rows. Idempotent.
 */
export async function removeMatchChannels(
  ctx: MatchContext,
  guild: Guild,
  matchId: string,
  log: Logger,
  /** The guild's settings and rows, when the caller read them already (the finish fan-out). */
  read?: { settings: VoiceSettings; rows: ActiveMatchRow[] },
): Promise<number> {
  const [[settings, rows], statusSet] = await Promise.all([
    read
      ? ([read.settings, read.rows] as const)
      : Promise.all([settingsOf(ctx, guild.id), ctx.matches.rows(matchId, guild.id)]),
    cardVoiceStatusSet(ctx, matchId, guild.id),
  ]);
  // The match ended: its players are late joiners no more (before their channels go).
  ctx.liveChanged([guild.id]);
  const ids = channelsOfMatch({
    matchId,
    template: settings.nameTemplate,
    rowChannelIds: rows.map((r) => r.voice_channel_id),
    bridgeChannels: bridgeVoiceChannels(guild, settings.categoryId),
  });
  for (const id of ids) {
    if (settings.lobbyChannelId) {
      for (const userId of membersInVoice(guild, id)) {
        try {
          await moveMember(guild, userId, settings.lobbyChannelId);
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
    // The card set a status on the team channels: cleared before the channel goes (one request).
    if (statusSet) await clearVoiceStatus(ctx.client, id, log);
    await deleteChannel(guild, id);
    log.info({ channelId: id }, 'match channel deleted');
  }
  for (const row of rows) await ctx.matches.forget(matchId, guild.id, row.faction);
  if (rows.length > 0) ctx.liveChanged([guild.id]);
  const lease = categoryLease(ctx, settings.categoryId);
  const removed = await removeEmptyOverflow(guild, settings.categoryId, lease);
  if (removed.length > 0) log.info({ categories: removed }, 'empty overflow categories removed');
  return ids.length;
}
