import {
  type ChannelPlan,
  decideEvent,
  FaceitNotFoundError,
  type Logger,
  type MatchJobData,
  planChannels,
  rostersMissing,
} from '@bridge/core';
import { UnrecoverableError } from 'bullmq';
import type { Guild } from 'discord.js';
import { moveMember } from '../discord/channels.ts';
import { convergeChannel } from './converge-channel.ts';
import { finishMatch } from './finish-match.ts';
import { guildOf, type MatchContext } from './match-context.ts';
import type { JobHandler } from './types.ts';

/** object_created/configuring/ready: converge each faction's channel, permissions and moves. */
export function matchCreatedHandler(ctx: MatchContext): JobHandler<MatchJobData> {
  return async (data, { job, log }) => {
    log.info({ payloadVersion: data.payloadVersion }, 'matchCreated received');
    const stored = await ctx.store.touch(data.matchId, data.event, data.payloadVersion);
    if (stored === 'ended') {
      log.info('match already ended: late event ignored');
      return { status: 'ignored-ended' };
    }
    const match = await ctx.deps.faceit.getMatch(data.matchId).catch((err: unknown) => {
      if (err instanceof FaceitNotFoundError) {
        throw new UnrecoverableError(`${err.message}: the match id ${data.matchId} is unknown to FACEIT`);
      }
      throw err;
    });
    if (decideEvent({ job: 'created', stored, faceitStatus: match.status }) === 'finish') {
      log.info({ faceitStatus: match.status }, 'FACEIT reports the match ended: finishing it');
      await ctx.store.end(data.matchId, `faceit-${match.status?.toLowerCase()}`);
      await finishMatch(ctx, data.matchId, log);
      return { status: 'finished' };
    }
    if (rostersMissing(match)) throw new Error('rosters are still empty at FACEIT; retrying later');

    const guild = await guildOf(ctx.deps);
    const faceitIds = [
      ...(match.teams?.faction1?.roster ?? []),
      ...(match.teams?.faction2?.roster ?? []),
    ].map((p) => p.player_id);
    const links = await ctx.deps.links.byFaceitIds(faceitIds);
    const plans = planChannels(match, {
      template: ctx.deps.config.VC_NAME_TEMPLATE,
      guildId: guild.id,
      botUserId: ctx.deps.client.user.id,
      staffRoleId: ctx.deps.config.VC_STAFF_ROLE_ID,
      links: new Map(links.map((l) => [l.faceit_id, l.discord_id])),
    });
    const result: Record<string, string | null> = {};
    for (const plan of plans) {
      await ctx.store.setRoster(data.matchId, plan.faction, plan.rosterFaceitIds);
      const channelId = await convergeChannel(ctx, guild, data.matchId, plan, String(job.id), log);
      result[plan.faction] = channelId;
      // null: the match ended meanwhile and the channel was compensated; nothing more to build.
      if (!channelId) return { status: 'ended-meanwhile' };
      await movePlayers(ctx, guild, data.matchId, plan, channelId, log);
    }
    return { status: 'converged', channels: result };
  };
}

/** Moves the faction's linked players who are in voice, each at most once per match (SQL claim). */
async function movePlayers(
  ctx: MatchContext,
  guild: Guild,
  matchId: string,
  plan: ChannelPlan,
  channelId: string,
  log: Logger,
): Promise<void> {
  for (const userId of plan.memberIds) {
    const current = guild.voiceStates.cache.get(userId)?.channelId;
    if (!current) continue;
    if (!(await ctx.store.claimMove(matchId, userId))) continue;
    if (current === channelId) continue;
    try {
      if (await moveMember(guild, userId, channelId)) log.info({ userId, channelId }, 'player moved in');
      // Not connected after all: give the claim back so a later connect still moves them.
      else await ctx.store.unclaimMove(matchId, userId);
    } catch (err) {
      await ctx.store.unclaimMove(matchId, userId).catch(() => {});
      throw err;
    }
  }
}
