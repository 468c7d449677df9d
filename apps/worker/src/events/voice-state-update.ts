import { randomUUID } from 'node:crypto';
import type { Logger } from '@bridge/core';
import { Events, type VoiceState } from 'discord.js';
import { servesGuild } from '../access/served-guilds.ts';
import { updateCard } from '../cards/update-card.ts';
import { MoveRefusedError } from '../discord/channels.ts';
import type { MatchContext } from '../matches/match-context.ts';
import { memberTeamChannels } from '../matches/member-channels.ts';
import { moveOnce } from '../matches/move-once.ts';

/**
 * A linked player of an active match who connects to voice (no channel → a channel) in a guild where
 * the match has channels is moved into their team channel there, once per (match, guild). Every worker copy sees the event; the SQL claim lets exactly one act.
 */
export function listenForLateJoiners(ctx: MatchContext, log: Logger): () => void {
  const handler = (oldState: VoiceState, newState: VoiceState) => {
    if (oldState.channelId || !newState.channelId) return;
    if (!servesGuild(ctx.deps.config, newState.guild.id)) return;
    void onConnect(ctx, newState, log).catch((err: Error) => {
      if (err instanceof MoveRefusedError)
        log.warn({ userId: newState.id, err: err.message }, 'late joiner not moved');
      else log.error({ userId: newState.id, err: err.message }, 'late joiner not moved');
    });
  };
  ctx.deps.client.on(Events.VoiceStateUpdate, handler);
  return () => ctx.deps.client.off(Events.VoiceStateUpdate, handler);
}

async function onConnect(ctx: MatchContext, state: VoiceState, log: Logger): Promise<void> {
  const userId = state.id;
  for (const row of await memberTeamChannels(ctx, userId, state.guild.id)) {
    const current = state.channelId ?? '';
    const holder = `late-${randomUUID()}`;
    if (await moveOnce(ctx, state.guild, row.match_id, userId, current, row.voice_channel_id, holder, log)) {
      log.info({ matchId: row.match_id, userId, channelId: row.voice_channel_id }, 'late joiner moved in');
      await updateCard(ctx.deps, row.match_id, state.guild.id, { kind: 'joined', userId }, log);
      return;
    }
  }
}
