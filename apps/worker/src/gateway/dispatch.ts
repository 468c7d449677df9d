import type { Logger, VoiceStates } from '@bridge/core';
import { type Client, GatewayDispatchEvents, type GatewayDispatchPayload } from 'discord.js';
import { emitInteraction } from '../discord/cacheless.ts';
import { mirrorVoice, type VoiceMove } from './voice-mirror.ts';

/** What the worker's features hear from the shards this copy holds (gateway/sharded.ts wires them). */
export interface GatewayListeners {
  /** a member connected to voice (no channel → a channel): late joiners */
  voiceConnect?: (move: VoiceMove & { to: string }) => void;
  /** a shard identified (READY) with these guilds */
  ready?: (shardId: number, guildIds: readonly string[]) => void;
  /** the bot was added to a guild (not a GUILD_CREATE of a shard coming up) */
  joined?: (guild: { id: string; name: string }) => void;
  /** the bot was removed from a guild (not an outage) */
  removed?: (guildId: string) => void;
}

/**
 * What a held shard's events do. Only this shard's holder receives them, so each is handled once: voice
 * states go to Redis (for every copy's jobs), a voice connect goes to the late-joiner listener as a plain
 * move (it decides from memory whether it is ours, before anything is read), a slash command to discord.js'
 * interaction handling, the bot joining or leaving a guild to the guild feature.
 */
export function dispatchTo(opts: {
  client: Client<true>;
  voice: VoiceStates;
  log: Logger;
  listeners: GatewayListeners;
}): (shardId: number, data: GatewayDispatchPayload) => void {
  const { client, log, listeners } = opts;
  // The guilds each shard's READY listed: their GUILD_CREATEs that follow are the shard coming up, not the
  // bot joining them, and cost nothing but the voice mirror.
  const starting = new Map<number, Set<string>>();
  const handle = async (shardId: number, data: GatewayDispatchPayload): Promise<void> => {
    // Mirrored first, in arrival order: a job started by this event must find the new state.
    const move = await mirrorVoice(opts.voice, data);
    if (move?.to && !move.from) {
      listeners.voiceConnect?.({ ...move, to: move.to });
      return;
    }
    switch (data.t) {
      case GatewayDispatchEvents.Ready: {
        const ids = data.d.guilds.map((g) => g.id);
        starting.set(shardId, new Set(ids));
        listeners.ready?.(shardId, ids);
        return;
      }
      case GatewayDispatchEvents.InteractionCreate:
        emitInteraction(client, data.d);
        return;
      case GatewayDispatchEvents.GuildCreate:
        if (!starting.get(shardId)?.delete(data.d.id))
          listeners.joined?.({ id: data.d.id, name: data.d.name });
        return;
      case GatewayDispatchEvents.GuildDelete:
        // Without `unavailable` the bot was removed (with it, an outage).
        if (!data.d.unavailable) listeners.removed?.(data.d.id);
        return;
      default:
    }
  };
  return (shardId, data) => {
    void handle(shardId, data).catch((err: Error) =>
      log.error({ shardId, event: data.t, err: err.message }, 'gateway event not handled'),
    );
  };
}
