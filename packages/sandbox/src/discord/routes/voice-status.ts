/** PUT /channels/{id}/voice-status: the line shown under a voice channel's name. */
import { Errors } from '../errors.ts';
import { has, Permission } from '../permissions.ts';
import type { RouteCtx, RouteDef } from '../router.ts';
import { ChannelType } from '../types.ts';
import { visibleChannel } from './channels.ts';
import { objectBody } from './util.ts';

/** Discord's limit on a voice channel status (changelog 2026-04-20; spec update_voice_channel_status). */
export const VOICE_STATUS_MAX = 500;

/**
 * Needs Set Voice Channel Status, and Manage Channels too when the bot is not connected to the channel
 * (developers/resources/channel.mdx, Set Voice Channel Status; a bridge bot is never connected). A missing or
 * empty status clears it. Answers 204; the change reaches the gateway as VOICE_CHANNEL_STATUS_UPDATE.
 */
function setVoiceStatus(ctx: RouteCtx) {
  const { c, g, perms } = visibleChannel(ctx);
  if (!g || c.type !== ChannelType.GuildVoice) throw Errors.wrongChannelType();
  const body = objectBody(ctx.body);
  const status = body.status;
  if (status !== undefined && status !== null && typeof status !== 'string') {
    throw Errors.form('status', 'BASE_TYPE_STRING', 'Must be a string.');
  }
  if (typeof status === 'string' && status.length > VOICE_STATUS_MAX) {
    throw Errors.form('status', 'BASE_TYPE_MAX_LENGTH', `Must be ${VOICE_STATUS_MAX} or fewer in length.`);
  }
  if (!has(perms, Permission.SetVoiceChannelStatus)) throw Errors.missingPermissions();
  const connected = g.voice.get(ctx.store.bot.id)?.channelId === c.id;
  if (!connected && !has(perms, Permission.ManageChannels)) throw Errors.missingPermissions();
  ctx.store.setVoiceStatus(c, status ?? '');
  return { status: 204 };
}

export const voiceStatusRoutes: RouteDef[] = [
  { method: 'PUT', path: '/channels/:channel/voice-status', handler: setVoiceStatus },
];
