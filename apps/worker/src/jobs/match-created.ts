import { randomUUID } from 'node:crypto';
import {
  attemptsLeft,
  type ChannelPlan,
  decideEvent,
  exitChannel,
  FaceitNotFoundError,
  faceitIdsOf,
  factionsInPlay,
  type JobHandler,
  type Logger,
  type MatchJobData,
  mustLeave,
  notFoundDecision,
  planChannels,
} from '@bridge/core';
import { UnrecoverableError } from 'bullmq';
import { type Guild, PermissionFlagsBits } from 'discord.js';
import { updateCard } from '../cards/update-card.ts';
import { MoveRefusedError, membersInVoice, moveMember } from '../discord/channels.ts';
import { beginChannel, channelLeaseKey, convergeChannel } from '../matches/converge-channel.ts';
import { settingsOf } from '../matches/guild-settings.ts';
import { LEASE } from '../matches/lease-timing.ts';
import { guildOf, type MatchContext } from '../matches/match-context.ts';
import { type AheadClaim, moveOnce } from '../matches/move-once.ts';
import { removeMatchChannels } from '../matches/remove-channels.ts';
import { guildTakesMatch } from '../matches/routing.ts';

/** object_created/configuring/ready: converge each faction's channel, permissions and moves. */
export function matchCreatedHandler(ctx: MatchContext): JobHandler<MatchJobData> {
  return async (data, { job, log }) => {
    log.info({ payloadVersion: data.payloadVersion }, 'matchCreated received');
    // The guild's settings and follows do not depend on the match: read them during the FACEIT fetch.
    // Awaited (and their errors seen) only where a channel is to be built, as before.
    const guildReads = guildOf(ctx.deps).then(async (guild) => {
      const [settings, follows] = await Promise.all([
        settingsOf(ctx, guild.id),
        ctx.guilds.follows(guild.id),
      ]);
      return { guild, settings, follows };
    });
    guildReads.catch(() => {});
    // The state check and the FACEIT fetch are independent: overlap them (the fetch is the slow one).
    const [stored, fetched] = await Promise.all([
      ctx.store.touch(data.matchId, data.event, data.payloadVersion),
      ctx.deps.faceit.getMatch(data.matchId).then(
        (m) => ({ ok: true as const, m }),
        (err: unknown) => ({ ok: false as const, err }),
      ),
    ]);
    log.debug('state checked and FACEIT match fetched');
    const decision = decideEvent({ stored, faceitStatus: fetched.ok ? fetched.m.status : undefined });
    if (decision === 'ignore-ended') {
      // Nothing to build. Still sweep the match's leftovers: this may be the retry of a job that died
      // (or failed) between writing its row and noticing the end, and nobody else would remove it.
      const removed = await removeMatchChannels(ctx, data.matchId, log);
      log.info({ removed }, 'match already ended: late event ignored');
      return { status: 'ignored-ended' };
    }
    if (!fetched.ok) {
      if (fetched.err instanceof FaceitNotFoundError) {
        // New matches have been reported to 404 for a while: retry with the job's backoff for a
        // bounded window before calling the match unknown.
        const decision = notFoundDecision({
          occurredAt: new Date(data.occurredAt),
          receivedAt: new Date(data.receivedAt),
          now: new Date(),
          attemptsLeft: attemptsLeft(job),
        });
        if (decision === 'retry') {
          throw new Error(`${fetched.err.message} for match ${data.matchId}: not visible yet? retrying`);
        }
        throw new UnrecoverableError(
          `${fetched.err.message}: the match id ${data.matchId} is unknown to FACEIT (still 404 after retrying)`,
        );
      }
      throw fetched.err;
    }
    const match = fetched.m;
    if (decision === 'finish') {
      log.info({ faceitStatus: match.status }, 'FACEIT reports the match ended: finishing it');
      await ctx.store.end(data.matchId, `faceit-${match.status?.toLowerCase()}`);
      await removeMatchChannels(ctx, data.matchId, log);
      return { status: 'finished' };
    }
    // Channels only for factions with someone playing: a bye team or a side FACEIT has not filled yet
    // gets none (a later event converges again). Nobody on either side: nothing to build, no retry.
    if (factionsInPlay(match).length === 0) {
      log.info(
        {
          faceitStatus: match.status,
          // FACEIT's team ids: a `bye` shows up here.
          teams: [match.teams?.faction1?.faction_id ?? null, match.teams?.faction2?.faction_id ?? null],
        },
        'no players on either side (a bye, or rosters not filled yet): nothing to build',
      );
      return { status: 'no-players' };
    }

    const { guild, settings, follows } = await guildReads;
    const linksRead = ctx.deps.links.byFaceitIds(faceitIdsOf(match));
    linksRead.catch(() => {}); // awaited below, unless the guild does not take the match
    // What the guild follows decides whether it gets the match (single-guild mode follows all).
    const linkedIds = async () => (await linksRead).map((l) => l.discord_id);
    if (!(await guildTakesMatch(guild, match, follows, linkedIds))) {
      log.info(
        { guildId: guild.id, competitionId: match.competition_id, organizerId: match.organizer_id },
        'the guild does not follow this match: nothing to build',
      );
      return { status: 'not-followed' };
    }
    // Who holds this run's leases and move claims: one run of the job, not the job id. A copy whose lock
    // lapsed while it still ran (a frozen event loop) shares the job id with its rerun, and must not
    // share their leases: a dead run's leases lapse after their bound instead.
    const holder = `${job.id}:${randomUUID().slice(0, 8)}`;
    // The guild takes the match: the first faction's lease (with its ended marker and row) is asked for
    // while the links are read.
    const firstFaction = factionsInPlay(match)[0];
    const begun = firstFaction ? beginChannel(ctx, data.matchId, firstFaction, holder) : undefined;
    begun?.catch(() => {}); // seen by convergeChannel, or below
    const links = await linksRead.catch(async (err: unknown) => {
      if (firstFaction && (await begun?.catch(() => null))) {
        await ctx.store.releaseLease(channelLeaseKey(data.matchId, firstFaction), holder).catch(() => {});
      }
      throw err;
    });
    log.debug('guild settings, follows and player links read');
    const plans = planChannels(match, {
      template: settings.nameTemplate,
      guildId: guild.id,
      botUserId: ctx.deps.client.user.id,
      staffRoleId: settings.staffRoleId,
      spectatorRoleId: settings.spectatorRoleId,
      links: new Map(links.map((l) => [l.faceit_id, l.discord_id])),
    });
    // Channels are created one faction after the other (they share a category and a rate-limit
    // bucket anyway); each faction's moves start as soon as its channel exists, overlapping the next.
    const result: Record<string, string> = {};
    const moves: Promise<void>[] = [];
    const build = async (): Promise<boolean> => {
      for (const plan of plans) {
        // The move claims are asked for while the channel is converged (its round trips off the path to
        // the first move); the moves themselves wait for the row and its ended re-check.
        const claims = new Map<string, AheadClaim>();
        for (const userId of plan.moveIds) {
          if (!guild.voiceStates.cache.get(userId)?.channelId) continue;
          const state = ctx.store.claimMove(data.matchId, userId, holder, LEASE.ttlSeconds);
          state.catch(() => {}); // seen (and reported) by the move that awaits it
          claims.set(userId, { at: Date.now(), state });
        }
        const [, channelId] = await Promise.all([
          ctx.store.setRoster(data.matchId, plan.faction, plan.rosterFaceitIds),
          convergeChannel(
            ctx,
            guild,
            settings,
            data.matchId,
            plan,
            holder,
            log,
            plan.faction === firstFaction ? begun : undefined,
          ),
        ]).catch(async (err: unknown) => {
          await giveBack(ctx, data.matchId, claims, holder);
          throw err;
        });
        // null: the match ended meanwhile; removeMatchChannels below clears what was built.
        if (!channelId) {
          await giveBack(ctx, data.matchId, claims, holder);
          return false;
        }
        result[plan.faction] = channelId;
        moves.push(movePlayers(ctx, guild, data.matchId, plan, channelId, holder, log, claims));
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
    // Ended while we built: this job's rows/channels (any faction) go the finish way: lobby, then delete.
    if (!built) await removeMatchChannels(ctx, data.matchId, log);
    else {
      const linked = new Map(links.map((l) => [l.faceit_id, l.discord_id]));
      await updateCard(
        ctx,
        data.matchId,
        guild.id,
        { kind: 'built', match, links: linked, channels: result },
        log,
      );
    }
    return built ? { status: 'converged', channels: result } : { status: 'ended-meanwhile' };
  };
}

/** Claims taken ahead for moves that will not happen (the match ended, or the build failed) go back. */
async function giveBack(
  ctx: MatchContext,
  matchId: string,
  claims: ReadonlyMap<string, AheadClaim>,
  holder: string,
): Promise<void> {
  await Promise.allSettled(
    [...claims].map(async ([userId, claim]) => {
      if ((await claim.state) === 'claimed') await ctx.store.unclaimMove(matchId, userId, holder);
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
        if (claim && (await claim.state) === 'claimed') await ctx.store.unclaimMove(matchId, userId, holder);
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
