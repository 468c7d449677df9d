import { randomUUID } from 'node:crypto';
import { type Logger, VoiceStates } from '@bridge/core';
import type { Guild } from 'discord.js';
import { servesGuild } from '../access/served-guilds.ts';
import { updateCard } from '../cards/update-card.ts';
import { MoveRefusedError } from '../discord/channels.ts';
import { voiceChannelOf } from '../discord/voice.ts';
import type { LiveChannel, LiveMembers } from '../gateway/live-members.ts';
import { guildById, type MatchContext } from '../matches/match-context.ts';
import { moveOnce } from '../matches/move-once.ts';

/**
 * How long after a member becomes live (their team channel recorded) the copy holding their guild's shard looks
 * whether they still sit in voice outside it: by then the job that made the channel has moved whoever it saw in
 * voice.
 */
const SETTLE_MS = 2000;
/**
 * The other copies look this much later, as a backstop for a shard changing hands meanwhile: by then the holder
 * has moved the member, so the voice mirror answers in one read and nothing goes to Discord.
 */
const BACKSTOP_MS = 8000;

/**
 * Late joiners: a linked player of an active match who connects to voice (no channel → a channel) in a guild
 * where the match has channels is moved into their team channel there, once per (match, guild) (the SQL move
 * claim lets exactly one copy act). Who plays where is read from memory (`live`), so a connect by anyone else
 * (nearly every voice event of a big deployment) costs no database or Redis round trip. A member who becomes
 * live while already in voice elsewhere (they connected just before their channel was recorded, or while no
 * copy held their shard) is moved too.
 */
export function listenForLateJoiners(
  ctx: MatchContext,
  live: LiveMembers,
  log: Logger,
  /** whether this copy holds the shard of the guild (receives its events) */
  holds: (guildId: string) => boolean,
): { connected: (move: VoiceConnect) => void; stop: () => void } {
  const connected = ({ guildId, userId, to }: VoiceConnect) => {
    if (!servesGuild(ctx.config, guildId)) return;
    const channels = live.channelsOf(guildId, userId);
    ctx.metrics.voiceConnects.inc({ ours: channels.length > 0 ? 'yes' : 'no' });
    if (channels.length === 0) return;
    // Ours: only now is the guild read.
    void guildById(ctx, guildId).then(
      (guild) => guild && moveInBackground(ctx, { guild, userId, current: to, channels }, log),
      (err: Error) => log.error({ userId, guildId, err: err.message }, 'late joiner not moved'),
    );
  };
  const voice = new VoiceStates(ctx.redis, ctx.config.QUEUE_PREFIX);
  live.onLive = (guildId, userId) => {
    const delay = holds(guildId) ? SETTLE_MS : SETTLE_MS + BACKSTOP_MS;
    setTimeout(() => {
      void (async () => {
        // Their channels as they are now: a match that ended meanwhile asks nothing.
        const channels = live.channelsOf(guildId, userId);
        const checked = ctx.metrics.lateJoinChecks;
        if (channels.length === 0) return checked.inc({ outcome: 'ended' });
        // The voice mirror says in one read whether there is anything to do (nearly always not: the job moved
        // them), before the guild is read over REST.
        const where = await voice.of(guildId, userId);
        if (!where || channels.some((c) => c.channelId === where))
          return checked.inc({ outcome: 'in_place' });
        checked.inc({ outcome: 'read' });
        const guild = await guildById(ctx, guildId);
        const current = guild ? voiceChannelOf(guild, userId) : null;
        if (!guild || !current || channels.some((c) => c.channelId === current)) return;
        moveInBackground(ctx, { guild, userId, current, channels }, log);
      })().catch((err: Error) =>
        log.warn({ userId, guildId, err: err.message }, 'late joiner not looked at'),
      );
    }, delay).unref();
  };
  return {
    connected,
    stop: () => {
      live.onLive = () => {};
    },
  };
}

/** A member who connected to voice in a guild (from the gateway, gateway/dispatch.ts). */
export interface VoiceConnect {
  guildId: string;
  userId: string;
  /** the channel they connected to */
  to: string;
}

/** A member of a live match who is in voice outside their team channel(s). */
interface LateJoin {
  guild: Guild;
  userId: string;
  /** The channel they are in now. */
  current: string;
  channels: readonly LiveChannel[];
}

function moveInBackground(ctx: MatchContext, join: LateJoin, log: Logger): void {
  const { userId } = join;
  void moveLateJoiner(ctx, join, log).catch((err: Error) => {
    if (err instanceof MoveRefusedError) log.warn({ userId, err: err.message }, 'late joiner not moved');
    else log.error({ userId, err: err.message }, 'late joiner not moved');
  });
}

async function moveLateJoiner(ctx: MatchContext, join: LateJoin, log: Logger): Promise<void> {
  const { guild, userId, current, channels } = join;
  for (const { matchId, channelId } of channels) {
    const holder = `late-${randomUUID()}`;
    if (await moveOnce({ ctx, guild, matchId, holder, log }, { userId, from: current, to: channelId })) {
      log.info({ matchId, userId, channelId }, 'late joiner moved in');
      await updateCard(ctx, matchId, guild.id, { kind: 'joined', userId }, log);
      return;
    }
  }
}
