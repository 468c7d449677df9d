import { randomUUID } from 'node:crypto';
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
import { convergeChannel } from './converge-channel.ts';
import { finishMatch } from './finish-match.ts';
import { guildOf, type MatchContext } from './match-context.ts';
import { moveOnce } from './move-once.ts';
import type { JobHandler } from './types.ts';

/** object_created/configuring/ready: converge each faction's channel, permissions and moves. */
export function matchCreatedHandler(ctx: MatchContext): JobHandler<MatchJobData> {
  return async (data, { job, log }) => {
    log.info({ payloadVersion: data.payloadVersion }, 'matchCreated received');
    // The state check and the FACEIT fetch are independent: overlap them (the fetch is the slow one).
    const [stored, fetched] = await Promise.all([
      ctx.store.touch(data.matchId, data.event, data.payloadVersion),
      ctx.deps.faceit.getMatch(data.matchId).then(
        (m) => ({ ok: true as const, m }),
        (err: unknown) => ({ ok: false as const, err }),
      ),
    ]);
    if (stored === 'ended') {
      // Nothing to build. Still sweep the match's leftovers: this may be the retry of a job that died
      // (or failed) between writing its row and noticing the end, and nobody else would remove it.
      const removed = await finishMatch(ctx, data.matchId, log);
      log.info({ removed }, 'match already ended: late event ignored');
      return { status: 'ignored-ended' };
    }
    if (!fetched.ok) {
      if (fetched.err instanceof FaceitNotFoundError) {
        throw new UnrecoverableError(
          `${fetched.err.message}: the match id ${data.matchId} is unknown to FACEIT`,
        );
      }
      throw fetched.err;
    }
    const match = fetched.m;
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
    // Channels are created one faction after the other (they share a category and a rate-limit
    // bucket anyway); each faction's moves start as soon as its channel exists, overlapping the next.
    // Who holds this run's leases and move claims: one run of the job, not the job id. A copy whose lock
    // lapsed while it still ran (a frozen event loop) shares the job id with its rerun, and must not
    // share their leases: a dead run's leases lapse after their bound instead.
    const holder = `${job.id}:${randomUUID().slice(0, 8)}`;
    const result: Record<string, string> = {};
    const moves: Promise<void>[] = [];
    const build = async (): Promise<boolean> => {
      for (const plan of plans) {
        const [, channelId] = await Promise.all([
          ctx.store.setRoster(data.matchId, plan.faction, plan.rosterFaceitIds),
          convergeChannel(ctx, guild, data.matchId, plan, holder, log),
        ]);
        // null: the match ended meanwhile; finishMatch below clears what was built.
        if (!channelId) return false;
        result[plan.faction] = channelId;
        moves.push(movePlayers(ctx, guild, data.matchId, plan, channelId, holder, log));
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
    // Ended while we built: this job's rows/channels (any faction) go the finish way: lobby, then delete.
    if (!built) await finishMatch(ctx, data.matchId, log);
    return built ? { status: 'converged', channels: result } : { status: 'ended-meanwhile' };
  };
}

/** Moves the faction's linked players who are in voice, each at most once per match (SQL claim lease). */
async function movePlayers(
  ctx: MatchContext,
  guild: Guild,
  matchId: string,
  plan: ChannelPlan,
  channelId: string,
  holder: string,
  log: Logger,
): Promise<void> {
  // Moves are independent calls: do them at once rather than one after another.
  await Promise.all(
    plan.memberIds.map(async (userId) => {
      const current = guild.voiceStates.cache.get(userId)?.channelId;
      if (!current) return;
      if (await moveOnce(ctx, guild, matchId, userId, current, channelId, holder, log)) {
        log.info({ userId, channelId }, 'player moved in');
      }
    }),
  );
}
