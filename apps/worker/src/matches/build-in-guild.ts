import {
  type ChannelPlan,
  exitChannel,
  type GuildLink,
  linkMap,
  mustLeave,
  planChannels,
} from '@bridge/core';
import type { Job } from 'bullmq';
import { type Guild, PermissionFlagsBits } from 'discord.js';
import { membersAmong } from '../access/members.ts';
import { updateCard } from '../cards/update-card.ts';
import { MoveRefusedError, moveMember } from '../discord/channels.ts';
import { membersInVoice } from '../discord/voice.ts';
import { convergeChannel } from './converge-channel.ts';
import type { GuildBuild } from './guild-build.ts';
import type { MatchContext } from './match-context.ts';
import { removeMatchChannels } from './remove-channels.ts';

export type BuildResult =
  | { status: 'converged'; channels: Record<string, string> }
  | { status: 'ended-meanwhile' };

/**
 * Whether team channels may grant Use Voice Activity: Discord lets the bot grant only what it holds in the
 * server (creates) and in the category (edits). The bot's member is in the gateway cache; a REST-only copy
 * reads it (one request).
 */
async function grantsVoiceActivity(guild: Guild, categoryId: string | undefined): Promise<boolean> {
  const me = guild.members.me ?? (await guild.members.fetchMe().catch(() => null));
  if (!me?.permissions.has(PermissionFlagsBits.UseVAD)) return false;
  const category = categoryId ? guild.channels.cache.get(categoryId) : undefined;
  return category?.permissionsFor(me)?.has(PermissionFlagsBits.UseVAD) ?? true;
}

/**
 * Everything one guild does for a match it takes: converge each faction's channel (with the guild's
 * category, template, roles and user limit), then its permissions and moves. Runs in the routing job
 * when one guild takes the match, else in that guild's own job; either way under this job's holder.
 * `links` say who is who in this guild (linksInGuild); only its members are let in, moved or named, so a
 * player's Discord id never shows in a server they are not in. `cycle`: how often FACEIT restarted the
 * match (the card of a new cycle goes back to live).
 */
export async function buildInGuild(
  build: GuildBuild,
  run: { links: readonly GuildLink[]; cycle: number; job: Job },
): Promise<BuildResult> {
  const { ctx, guild, settings, match, matchId, log } = build;
  const { plans, linked } = await planGuild(build, run.links);
  // The moves already started are seen through (and their errors reported) before the job ends.
  const channels = await convergeAll(build, plans).catch(async (err: unknown) => {
    await build.settle().catch(() => {});
    throw err;
  });
  await build.settle();
  // Ended while we built: this job's rows/channels (any faction) go the finish way: lobby, then delete.
  if (!channels) {
    await removeMatchChannels(ctx, guild, matchId, log);
    return { status: 'ended-meanwhile' };
  }
  observeReady(ctx, run.job);
  const change = {
    kind: 'built' as const,
    match,
    links: linked,
    channels,
    policy: settings.linkPolicy,
    cycle: run.cycle,
  };
  await updateCard(ctx, matchId, guild.id, change, log);
  return { status: 'converged', channels };
}

/** The guild's channel plans: who of the links is a member here, and what each faction's channel grants. */
async function planGuild(build: GuildBuild, links: readonly GuildLink[]) {
  const { ctx, guild, settings } = build;
  const members = await membersAmong(
    guild,
    links.map((l) => l.discordId),
  );
  const linked = linkMap(links.filter((l) => members.has(l.discordId)));
  const plans = planChannels(build.match, {
    template: settings.nameTemplate,
    guildId: guild.id,
    botUserId: ctx.client.user.id,
    staffRoleId: settings.staffRoleId,
    spectatorRoleId: settings.spectatorRoleId,
    voiceActivity: await grantsVoiceActivity(guild, settings.categoryId),
    links: linked,
  });
  return { plans, linked };
}

/**
 * Channels are converged one faction after the other (they share a category and a rate-limit bucket
 * anyway); each faction's moves start as soon as its channel exists, overlapping the next. The channel of
 * each faction, or null: the match ended meanwhile (removeMatchChannels clears what was built).
 */
async function convergeAll(
  build: GuildBuild,
  plans: readonly ChannelPlan[],
): Promise<Record<string, string> | null> {
  const { ctx, guild, matchId } = build;
  const channels: Record<string, string> = {};
  for (const plan of plans) {
    build.claimAhead(plan);
    const [, channelId] = await Promise.all([
      ctx.matches.setRoster(matchId, plan.faction, plan.rosterFaceitIds),
      convergeChannel(build, plan),
    ]);
    if (!channelId) return null;
    channels[plan.faction] = channelId;
    // The row and roster are committed: the copy holding the guild's shard learns who plays here now.
    ctx.liveChanged([guild.id]);
    // A reused or adopted channel's moves wait for its row (its permissions may have needed updating).
    build.startMoves(plan, channelId);
    build.track(moveOutLeavers(build, plan, channelId));
  }
  return channels;
}

/**
 * Webhook received (by the API) → the channels exist and the players in voice are in: what players wait,
 * and what `./run bench latency` measures. Both job kinds that build carry the webhook's `receivedAt`.
 */
function observeReady(ctx: MatchContext, job: Job): void {
  const { event, receivedAt } = job.data as { event?: string; receivedAt?: string };
  const received = Date.parse(receivedAt ?? '');
  if (!event || !Number.isFinite(received)) return;
  ctx.metrics.matchReady.observe({ event }, Math.max(0, Date.now() - received) / 1000);
}

/**
 * Anyone in the team channel who is not on the team and may no longer connect (a player substituted
 * out) leaves it: to the lobby, or out of voice. Discord would let them keep hearing the team.
 */
async function moveOutLeavers(build: GuildBuild, plan: ChannelPlan, channelId: string): Promise<void> {
  const { ctx, guild, log } = build;
  const channel = guild.channels.cache.get(channelId);
  if (!channel?.isVoiceBased()) return;
  const occupants = await Promise.all(
    membersInVoice(guild, channelId).map(async (userId) => {
      const member = guild.members.cache.get(userId) ?? (await guild.members.fetch(userId).catch(() => null));
      const canConnect = member ? channel.permissionsFor(member).has(PermissionFlagsBits.Connect) : false;
      return { userId, canConnect };
    }),
  );
  const exit = exitChannel(build.settings.lobbyChannelId);
  for (const userId of mustLeave(occupants, plan.memberIds, ctx.client.user.id)) {
    try {
      if (await moveMember(guild, userId, exit)) {
        log.info({ userId, channelId, to: exit }, 'player no longer on the team moved out');
      }
    } catch (err) {
      if (!(err instanceof MoveRefusedError)) throw err;
      log.warn({ userId, channelId, err: err.message }, 'player no longer on the team not moved out');
    }
  }
}
