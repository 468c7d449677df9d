import {
  faceitIdsOf,
  type JobHandler,
  jobNameForEvent,
  linksInGuild,
  MATCH_JOBS,
  type MatchGuildCreatedData,
  type MatchGuildFinishedData,
} from '@bridge/core';
import { updateCard } from '../cards/update-card.ts';
import { buildInGuild } from '../matches/build-in-guild.ts';
import { GuildBuild, runHolder } from '../matches/guild-build.ts';
import { settingsOf } from '../matches/guild-settings.ts';
import { guildById, guildOf, type MatchContext } from '../matches/match-context.ts';
import { removeMatchChannels } from '../matches/remove-channels.ts';

/**
 * matchGuildCreated: one guild's build of a match several guilds take, from the match the routing job
 * fetched. Its own job: it fails, retries and waits for Discord's rate limits on its own. The guild's
 * settings and the player links are read now (a /setup change or a /link since routing applies), and who
 * is who is decided for this guild (its policy, its server links).
 */
export function matchGuildCreatedHandler(ctx: MatchContext): JobHandler<MatchGuildCreatedData> {
  return async (data, { job, log }) => {
    const guild = await guildOf(ctx, data.guildId);
    const [settings, rows, state] = await Promise.all([
      settingsOf(ctx, guild.id),
      ctx.links.rows({ faceitIds: faceitIdsOf(data.match), guildId: guild.id }),
      ctx.matches.state(data.matchId),
    ]);
    const links = linksInGuild({ guildId: guild.id, policy: settings.linkPolicy, ...rows });
    const build = new GuildBuild({ ctx, guild, settings, match: data.match, holder: runHolder(job), log });
    return buildInGuild(build, { links, cycle: state?.reopens ?? 0, job });
  };
}

/** matchGuildFinished: the match ended (its marker is set); its channels and rows in this guild go. */
export function matchGuildFinishedHandler(ctx: MatchContext): JobHandler<MatchGuildFinishedData> {
  return async (data, { log }) => {
    const guild = await guildById(ctx, data.guildId);
    // The bot left: the channels went with the guild, and GUILD_DELETE forgot its rows.
    if (!guild) return { status: 'not-in-guild' };
    const channels = await removeMatchChannels(ctx, guild, data.matchId, log);
    log.info({ channels }, 'match finished in this guild');
    if (jobNameForEvent(data.event) === MATCH_JOBS.finished) {
      const change = { kind: 'ended' as const, event: data.event, details: data.details };
      await updateCard(ctx, data.matchId, guild.id, change, log);
    }
    return { status: 'finished', channels };
  };
}
