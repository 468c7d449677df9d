import {
  type DataApiMatch,
  jobMatchSchema,
  type Logger,
  MATCH_JOBS,
  type MatchGuildCreatedData,
  type MatchGuildFinishedData,
  type MatchJobData,
  matchGuildJobOptions,
} from '@bridge/core';
import { settingsOf } from './guild-settings.ts';
import { guildById, type MatchContext } from './match-context.ts';
import { removeMatchChannels } from './remove-channels.ts';

/**
 * One `matchGuildCreated` per guild, carrying the fields of the match as fetched that the job reads
 * (FACEIT is asked once per event; no Steam ids, avatars or the rest go into Redis).
 * Deterministic ids: a retry of the routing job, or a redelivery, adds ids BullMQ already has (ignored).
 */
export async function enqueueGuildBuilds(
  ctx: MatchContext,
  data: MatchJobData,
  match: DataApiMatch,
  guildIds: readonly string[],
): Promise<void> {
  const name = MATCH_JOBS.guildCreated;
  const slim = jobMatchSchema.parse(match);
  await ctx.queues.matches.addBulk(
    guildIds.map((guildId) => ({
      name,
      data: { ...data, guildId, match: slim } satisfies MatchGuildCreatedData,
      opts: matchGuildJobOptions(name, data, guildId),
    })),
  );
}

/**
 * The match has ended (its marker is set): it ends in every guild that built for it — those with channel
 * rows, plus DISCORD_GUILD_ID's (it may hold a channel whose row was never written). One guild is
 * cleaned up here; several get a `matchGuildFinished` each, so one guild's failure or rate limit does not
 * hold the others. A guild still building when the end lands sees the marker and cleans up itself.
 */
export async function finishInEveryGuild(
  ctx: MatchContext,
  data: MatchJobData,
  log: Logger,
  /** How often FACEIT restarted the match: its per-guild clean-ups are this cycle's. */
  cycle = 0,
): Promise<{ guilds: string[]; channels?: number }> {
  const own = ctx.config.DISCORD_GUILD_ID;
  // DISCORD_GUILD_ID's settings are read at the same time as the rows (one round trip).
  const [rows, ownSettings] = await Promise.all([
    ctx.matches.rows(data.matchId),
    own ? settingsOf(ctx, own) : undefined,
  ]);
  const guildIds = [...new Set([...rows.map((r) => r.guild_id), ...(own ? [own] : [])])].sort();
  if (guildIds.length === 1) {
    const guildId = guildIds[0] as string;
    const guild = await guildById(ctx, guildId);
    // The bot left it: its channels went with it, and GUILD_DELETE forgot the rows.
    if (!guild) {
      log.warn({ guildId }, 'the bot is not in this guild any more: nothing to clean up there');
      return { guilds: [] };
    }
    const read = ownSettings && guildId === own ? { settings: ownSettings, rows } : undefined;
    return { guilds: guildIds, channels: await removeMatchChannels(ctx, guild, data.matchId, log, read) };
  }
  const name = MATCH_JOBS.guildFinished;
  // Clean-up jobs run in the `cleanup` queue's own slots, never behind creates.
  await ctx.queues.cleanup.addBulk(
    guildIds.map((guildId) => ({
      name,
      data: { ...data, guildId } satisfies MatchGuildFinishedData,
      opts: matchGuildJobOptions(name, data, guildId, cycle),
    })),
  );
  if (guildIds.length > 0) log.info({ guilds: guildIds }, 'match clean-up fanned out to its guilds');
  return { guilds: guildIds };
}
