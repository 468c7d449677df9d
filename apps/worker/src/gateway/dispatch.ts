import type { Logger, VoiceStates } from '@bridge/core';
import {
  type Client,
  Events,
  GatewayDispatchEvents,
  type GatewayDispatchPayload,
  type Guild,
} from 'discord.js';
import { emitInteraction, voiceStateOf } from '../discord/cacheless.ts';
import { mirrorVoice } from './voice-mirror.ts';

/**
 * What a held shard's events do (DISCORD_SHARDING=leases). Only this shard's holder receives them, so each is
 * handled once: voice states go to Redis (for every copy's jobs), and the events the worker reacts to are
 * handed to its listeners as the discord.js events they already handle: a member connecting to voice
 * (late joiners), a slash command, the bot joining or leaving a guild.
 */
export function dispatchTo(opts: {
  client: Client<true>;
  voice: VoiceStates;
  /** the guild as REST and Redis describe it (the late-join listener reads it) */
  guild: (guildId: string) => Promise<Guild | null>;
  log: Logger;
}): (shardId: number, data: GatewayDispatchPayload) => void {
  const { client, log } = opts;
  const handle = async (data: GatewayDispatchPayload): Promise<void> => {
    // Mirrored first, in arrival order: a job started by this event must find the new state.
    const move = await mirrorVoice(opts.voice, data);
    if (move?.to && !move.from) {
      const guild = await opts.guild(move.guildId);
      if (guild) {
        const before = voiceStateOf(guild, move.userId, null);
        const after = voiceStateOf(guild, move.userId, move.to);
        client.emit(Events.VoiceStateUpdate, before, after);
      }
      return;
    }
    switch (data.t) {
      case GatewayDispatchEvents.InteractionCreate:
        emitInteraction(client, data.d);
        return;
      case GatewayDispatchEvents.GuildCreate: {
        // Also sent for each guild when a shard identifies: registering commands again is idempotent.
        const guild = await opts.guild(data.d.id);
        if (guild) client.emit(Events.GuildCreate, guild);
        return;
      }
      case GatewayDispatchEvents.GuildDelete:
        // Without `unavailable` the bot was removed; the listener needs only the id.
        if (!data.d.unavailable) client.emit(Events.GuildDelete, { id: data.d.id } as Guild);
        return;
      default:
    }
  };
  return (shardId, data) => {
    void handle(data).catch((err: Error) =>
      log.error({ shardId, event: data.t, err: err.message }, 'gateway event not handled'),
    );
  };
}
