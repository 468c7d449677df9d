import {
  type ChannelPlan,
  type DataApiMatch,
  exitChannel,
  type GuildLink,
  type Logger,
  linkMap,
  mustLeave,
  planChannels,
} from '@bridge/core';
import type { Job } from 'bullmq';
import { type Guild, PermissionFlagsBits } from 'discord.js';
import { membersAmong } from '../access/members.ts';
import { updateCard } from '../cards/update-card.ts';
import { MoveRefusedError, membersInVoice, moveMember } from '../discord/channels.ts';
import { LEASE } from '../lib/leases.ts';
import { convergeChannel } from './converge-channel.ts';
import type { VoiceSettings } from './guild-settings.ts';
import { type LeaseAhead, runHolder } from './lease-ahead.ts';
import type { MatchContext } from './match-context.ts';
import { type AheadClaim, moveOnce } from './move-once.ts';
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
 * player's Discord id never shows in a server they are not in.
 */
export async function buildInGuild(
  ctx: MatchContext,
  guild: Guild,
  settings: VoiceSettings,
  match: DataApiMatch,
  links: readonly GuildLink[],
  job: Job,
  log: Logger,
  /** How often FACEIT restarted the match (the card of a new cycle goes back to live). */
  cycle: number,
  /** The first faction's lease, asked for in this guild before routing decided (see lease-ahead.ts). */
  ahead?: LeaseAhead,
): Promise<BuildResult> {
  const matchId = match.match_id;
  const members = await membersAmong(
    ctx.deps,
    guild,
    links.map((l) => l.discordId),
  );
  const linked = linkMap(links.filter((l) => members.has(l.discordId)));
  const plans = planChannels(match, {
    template: settings.nameTemplate,
    guildId: guild.id,
    botUserId: ctx.deps.client.user.id,
    staffRoleId: settings.staffRoleId,
    spectatorRoleId: settings.spectatorRoleId,
    voiceActivity: await grantsVoiceActivity(guild, settings.categoryId),
    links: linked,
  });
  // Channels are created one faction after the other (they share a category and a rate-limit
  // bucket anyway); each faction's moves start as soon as its channel exists, overlapping the next.
  // Who holds this run's leases and move claims: one run of the job, not the job id. A copy whose lock
  // lapsed while it still ran (a frozen event loop) shares the job id with its rerun, and must not
  // share their leases: a dead run's leases lapse after their bound instead.
  const holder = ahead?.holder ?? runHolder(job);
  const result: Record<string, string> = {};
  const moves: Promise<void>[] = [];
  const build = async (): Promise<boolean> => {
    for (const plan of plans) {
      // The move claims are asked for while the channel is converged (its round trips off the path to
      // the first move).
      const claims = new Map<string, AheadClaim>();
      for (const userId of plan.moveIds) {
        if (!guild.voiceStates.cache.get(userId)?.channelId) continue;
        const state = ctx.store.claimMove(matchId, guild.id, userId, holder, LEASE.ttlSeconds);
        state.catch(() => {}); // seen (and reported) by the move that awaits it
        claims.set(userId, { at: Date.now(), state });
      }
      // A channel this run just created starts its moves at once, while its row is written (one round
      // trip off the path to the first move). Should that write find the match ended meanwhile, the
      // moves are seen through and removeMatchChannels below takes everyone back to the lobby; a
      // reused or adopted channel waits for the row (its permissions may still need updating).
      let moving = false;
      const startMoves = (channelId: string) => {
        if (moving) return;
        moving = true;
        moves.push(movePlayers(ctx, guild, matchId, plan, channelId, holder, log, claims));
      };
      const [, channelId] = await Promise.all([
        ctx.store.setRoster(matchId, plan.faction, plan.rosterFaceitIds),
        convergeChannel(
          ctx,
          guild,
          settings,
          matchId,
          plan,
          holder,
          log,
          takeOver(ahead, plan.faction),
          startMoves,
        ),
      ]).catch(async (err: unknown) => {
        // Moves already under way give back their own claims when they do not happen.
        if (!moving) await giveBack(ctx, guild.id, matchId, claims, holder);
        throw err;
      });
      // null: the match ended meanwhile; removeMatchChannels below clears what was built.
      if (!channelId) {
        if (!moving) await giveBack(ctx, guild.id, matchId, claims, holder);
        return false;
      }
      result[plan.faction] = channelId;
      // The row and roster are committed: the copy holding the guild's shard learns who plays here now.
      ctx.deps.liveChanged([guild.id]);
      startMoves(channelId);
      moves.push(moveOutLeavers(ctx, guild, settings.lobbyChannelId, plan, channelId, log));
    }
    return true;
  };
  // Moves already started are seen through (and their errors reported) before the job ends.
  const built = await build().catch(async (err: unknown) => {
    await Promise.allSettled(moves);
    throw err;
  });
  const failed = (await Promise.allSettled(moves)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  if (built) observeReady(ctx, job);
  // Ended while we built: this job's rows/channels (any faction) go the finish way: lobby, then delete.
  if (!built) await removeMatchChannels(ctx, guild, matchId, log);
  else {
    const change = {
      kind: 'built' as const,
      match,
      links: linked,
      channels: result,
      policy: settings.linkPolicy,
      cycle,
    };
    await updateCard(ctx.deps, matchId, guild.id, change, log);
  }
  return built ? { status: 'converged', channels: result } : { status: 'ended-meanwhile' };
}

/**
 * Webhook received (by the API) → the channels exist and the players in voice are in: what players wait,
 * and what `./run bench latency` measures. Both job kinds that build carry the webhook's `receivedAt`.
 */
function observeReady(ctx: MatchContext, job: Job): void {
  const { event, receivedAt } = job.data as { event?: string; receivedAt?: string };
  const received = Date.parse(receivedAt ?? '');
  if (!event || !Number.isFinite(received)) return;
  ctx.deps.metrics.matchReady.observe({ event }, Math.max(0, Date.now() - received) / 1000);
}

/** The lease asked for ahead, for its faction's converge (which then releases it), once. */
function takeOver(ahead: LeaseAhead | undefined, faction: LeaseAhead['faction']) {
  if (!ahead || ahead.used || ahead.faction !== faction) return undefined;
  ahead.used = true;
  return ahead.begun;
}

/** Claims taken ahead for moves that will not happen (the match ended, or the build failed) go back. */
async function giveBack(
  ctx: MatchContext,
  guildId: string,
  matchId: string,
  claims: ReadonlyMap<string, AheadClaim>,
  holder: string,
): Promise<void> {
  await Promise.allSettled(
    [...claims].map(async ([userId, claim]) => {
      if ((await claim.state) === 'claimed') await ctx.store.unclaimMove(matchId, guildId, userId, holder);
    }),
  );
}

/**
 * Moves the faction's linked players who are in voice, each at most once per match (SQL claim lease). A move
 * Discord refuses is that player's problem: logged with what to fix, the claim given back (moveOnce),
 * the others still moved.
 */
async function movePlayers(
  ctx: MatchContext,
  guild: Guild,
  matchId: string,
  plan: ChannelPlan,
  channelId: string,
  holder: string,
  log: Logger,
  claims: ReadonlyMap<string, AheadClaim>,
): Promise<void> {
  // Moves are independent calls: do them at once rather than one after another.
  await Promise.all(
    // Players only: bench substitutes may join the channel but are not moved.
    plan.moveIds.map(async (userId) => {
      const current = guild.voiceStates.cache.get(userId)?.channelId;
      if (!current) {
        // Left voice since the claim was taken ahead: give it back so their next connect moves them.
        const claim = claims.get(userId);
        if (claim && (await claim.state) === 'claimed')
          await ctx.store.unclaimMove(matchId, guild.id, userId, holder);
        return;
      }
      try {
        if (
          await moveOnce(ctx, guild, matchId, userId, current, channelId, holder, log, claims.get(userId))
        ) {
          log.info({ userId, channelId }, 'player moved in');
        }
      } catch (err) {
        if (!(err instanceof MoveRefusedError)) throw err;
        log.warn({ userId, channelId, from: current, err: err.message }, 'player not moved: Discord refused');
      }
    }),
  );
}

/**
 * Anyone in the team channel who is not on the team and may no longer connect (a player substituted
 * out) leaves it: to the lobby, or out of voice. Discord would let them keep hearing the team.
 */
async function moveOutLeavers(
  ctx: MatchContext,
  guild: Guild,
  lobbyChannelId: string | undefined,
  plan: ChannelPlan,
  channelId: string,
  log: Logger,
): Promise<void> {
  const channel = guild.channels.cache.get(channelId);
  if (!channel?.isVoiceBased()) return;
  const occupants = await Promise.all(
    membersInVoice(guild, channelId).map(async (userId) => {
      const member = guild.members.cache.get(userId) ?? (await guild.members.fetch(userId).catch(() => null));
      const canConnect = member ? channel.permissionsFor(member).has(PermissionFlagsBits.Connect) : false;
      return { userId, canConnect };
    }),
  );
  const exit = exitChannel(lobbyChannelId);
  for (const userId of mustLeave(occupants, plan.memberIds, ctx.deps.client.user.id)) {
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
