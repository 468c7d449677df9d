import { type Logger, type MoveClaim, pause } from '@bridge/core';
import type { Guild } from 'discord.js';
import { moveMember } from '../discord/channels.ts';
import { keepAlive, LEASE } from '../lib/leases.ts';
import type { MatchContext } from './match-context.ts';

/** A move claim asked for before the move could start: when, and its answer. */
export interface AheadClaim {
  at: number;
  state: Promise<MoveClaim>;
}

/** Where moves happen: a match in one guild, under one holder (a GuildBuild, or a late joiner's connect). */
export interface MoveScope {
  ctx: MatchContext;
  guild: Guild;
  matchId: string;
  /** Names the caller: one run of a job, or one connect. */
  holder: string;
  log: Logger;
}

/** One player's move: from the channel they are in, to their team's. */
export interface Move {
  userId: string;
  from: string;
  to: string;
  /** The first claim, when the caller asked for it ahead (overlapped with other work). */
  ahead?: AheadClaim;
}

/**
 * Moves a player into their team channel at most once per (match, guild). The SQL claim is a lease: it decides
 * who moves (so only one worker copy acts), it is final only once the move was made (so a player who
 * leaves on purpose is not dragged back), and a claim whose holder died is taken over after its bound
 * (so a crash delays a move, never loses it). A move that does not happen — not connected after all,
 * or an error — gives the claim back so a later connect still moves. Returns true when this call moved them.
 * (A copy killed between the move and the confirm leaves a claim that lapses: the player may then be
 * moved once more by a later event — the price of never losing a move.)
 */
export async function moveOnce(scope: MoveScope, move: Move): Promise<boolean> {
  const { ctx, guild, matchId, holder: me, log } = scope;
  const { userId, ahead } = move;
  const claim = () => ctx.matches.claimMove(matchId, guild.id, userId, me, LEASE.ttlSeconds);
  const deadline = Date.now() + LEASE.waitMs;
  // A claim asked for ahead counts only while it is surely still ours (nothing renews it before the
  // move starts): older than one renewal period, it is taken again (re-taking our own claim extends it).
  let state = await (ahead && Date.now() - ahead.at < LEASE.renewEveryMs ? ahead.state : claim());
  // Another holder is moving them (or died doing it): wait for its move, or for its claim to lapse.
  while (state === 'held') {
    if (Date.now() > deadline)
      throw new Error(`move of ${userId} is claimed by another worker; retrying later`);
    await pause(200 + Math.random() * 200);
    state = await claim();
  }
  if (state === 'done') return false;
  if (move.from === move.to) {
    await ctx.matches.confirmMove(matchId, guild.id, userId, me);
    return false;
  }
  const stop = keepAlive(
    async () => (await claim()) === 'claimed',
    LEASE.renewEveryMs,
    (err) => log.error({ userId, err: err?.message }, 'move claim lost while moving'),
  );
  try {
    log.debug({ userId }, 'move claimed: asking Discord');
    const moved = await moveMember(guild, userId, move.to);
    stop();
    if (moved) await ctx.matches.confirmMove(matchId, guild.id, userId, me);
    else await ctx.matches.unclaimMove(matchId, guild.id, userId, me);
    return moved;
  } catch (err) {
    stop();
    await ctx.matches.unclaimMove(matchId, guild.id, userId, me).catch(() => {});
    throw err;
  }
}
