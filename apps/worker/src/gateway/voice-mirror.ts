import type { VoiceStates } from '@bridge/core';
import { GatewayDispatchEvents, type GatewayDispatchPayload } from 'discord.js';

/** One member's voice move as the mirror saw it (`from` is what Redis held before). */
export interface VoiceMove {
  guildId: string;
  userId: string;
  from: string | null;
  to: string | null;
}

/**
 * Keeps Redis' picture of who is in voice in step with the shard's events (the shard's holder is the only
 * writer of its guilds): a guild's GUILD_CREATE carries its full voice state and replaces the picture, each
 * VOICE_STATE_UPDATE moves one member, a guild that removed the bot is forgotten. Answers the member's move
 * for a VOICE_STATE_UPDATE (late joiners are found from it), null otherwise.
 */
export async function mirrorVoice(
  voice: VoiceStates,
  data: GatewayDispatchPayload,
): Promise<VoiceMove | null> {
  switch (data.t) {
    case GatewayDispatchEvents.GuildCreate: {
      const states = new Map<string, string>();
      for (const s of data.d.voice_states ?? []) if (s.channel_id) states.set(s.user_id, s.channel_id);
      await voice.replace(data.d.id, states);
      return null;
    }
    case GatewayDispatchEvents.GuildDelete:
      if (!data.d.unavailable) await voice.forget(data.d.id);
      return null;
    case GatewayDispatchEvents.VoiceStateUpdate: {
      const { guild_id: guildId, user_id: userId, channel_id: to } = data.d;
      if (!guildId) return null;
      const from = await voice.set(guildId, userId, to);
      return { guildId, userId, from, to };
    }
    default:
      return null;
  }
}
