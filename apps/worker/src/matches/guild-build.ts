import { randomUUID } from 'node:crypto';
import type { ChannelBegun, ChannelPlan, DataApiMatch, Faction, Logger } from '@bridge/core';
import type { Job } from 'bullmq';
import type { Guild } from 'discord.js';
import { MoveRefusedError } from '../discord/channels.ts';
import { voiceChannelOf } from '../discord/voice.ts';
import { LEASE } from '../lib/leases.ts';
import { Prefetched } from '../lib/prefetched.ts';
import type { VoiceSettings } from './guild-settings.ts';
import type { MatchContext } from './match-context.ts';
import { type AheadClaim, type MoveScope, moveOnce } from './move-once.ts';

/** Per (match, guild, faction): another guild's build of the same match is not this one's business. */
export const channelLeaseKey = (matchId: string, guildId: string, faction: Faction) =>
  `vc-${matchId}-${guildId}-${faction}`;

/** Who holds one run's leases and move claims: the run of the job, not the job id (see GuildBuild.holder). */
export const runHolder = (job: Job) => `${job.id}:${randomUUID().slice(0, 8)}`;

/** Channel leases taken ahead (beginChannel's answer), by lease key: the converge of that channel takes one over. */
export type LeasesAhead = Prefetched<string, Promise<ChannelBegun | null>>;

/**
 * One guild's build of one match, made once per (match, guild) by the job that builds there: what every
 * step of the build reads (the guild, its settings, the match, who holds the leases, the log), and what was
 * asked for ahead of the step that needs it, each taken once: the channel lease taken before routing decided
 * (its converge takes it over and releases it; the run that asked gives back one nobody took, dropAhead), and
 * the move claims asked for while a channel is converged (a faction's moves take theirs; settle gives back
 * the rest). Moves run in the background from startMoves until settle.
 */
export class GuildBuild implements MoveScope {
  readonly ctx: MatchContext;
  readonly guild: Guild;
  readonly settings: VoiceSettings;
  readonly match: DataApiMatch;
  readonly matchId: string;
  /**
   * Who holds this run's leases and move claims: one run of the job, not the job id. A copy whose lock
   * lapsed while it still ran (a frozen event loop) shares the job id with its rerun, and must not share
   * their leases: a dead run's leases lapse after their bound instead.
   */
  readonly holder: string;
  readonly log: Logger;
  readonly #leases: LeasesAhead | undefined;
  readonly #claims = new Prefetched<string, AheadClaim>();
  readonly #moves: Promise<void>[] = [];
  readonly #moving = new Set<Faction>();

  constructor(of: {
    ctx: MatchContext;
    guild: Guild;
    settings: VoiceSettings;
    match: DataApiMatch;
    holder: string;
    log: Logger;
    /** Channel leases the run took ahead (same holder); a converge here takes its own over. */
    leases?: LeasesAhead;
  }) {
    this.ctx = of.ctx;
    this.guild = of.guild;
    this.settings = of.settings;
    this.match = of.match;
    this.matchId = of.match.match_id;
    this.holder = of.holder;
    this.log = of.log;
    this.#leases = of.leases;
  }

  /** beginChannel's answer for this lease key when the run asked for it ahead, once: the taker releases it. */
  takeLease(key: string) {
    return this.#leases?.take(key);
  }

  /**
   * Asks for the move claims of the plan's players in voice now, so that their round trips run while the
   * channel is converged rather than on the path to the first move.
   */
  claimAhead(plan: ChannelPlan): void {
    for (const userId of plan.moveIds) {
      if (!voiceChannelOf(this.guild, userId)) continue;
      const state = this.ctx.matches.claimMove(
        this.matchId,
        this.guild.id,
        userId,
        this.holder,
        LEASE.ttlSeconds,
      );
      state.catch(() => {}); // seen (and reported) by the move that takes it
      this.#claims.put(userId, { at: Date.now(), state });
    }
  }

  /**
   * Starts the faction's moves into its channel, once: as soon as this run created the channel (its row is
   * written meanwhile), else once the row is recorded. A match that ends meanwhile sees its moves through,
   * then removeMatchChannels takes everyone back to the lobby.
   */
  startMoves(plan: ChannelPlan, channelId: string): void {
    if (this.#moving.has(plan.faction)) return;
    this.#moving.add(plan.faction);
    this.#moves.push(movePlayers(this, plan, channelId));
  }

  /** Other work of the build that runs beside the next faction's converge (seen through by settle). */
  track(work: Promise<void>): void {
    this.#moves.push(work);
  }

  /** The moves started, seen through; then the claims no move took go back. Throws the first move's failure. */
  async settle(): Promise<void> {
    const results = await Promise.allSettled(this.#moves);
    await Promise.allSettled(this.#claims.takeRest().map(([userId, claim]) => this.#giveBack(userId, claim)));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** A player's claim asked for ahead, for their move (once). */
  takeClaim(userId: string): AheadClaim | undefined {
    return this.#claims.take(userId);
  }

  /** A claim asked for ahead for a move that will not happen goes back (a later connect still moves them). */
  async #giveBack(userId: string, claim: AheadClaim): Promise<void> {
    if ((await claim.state) === 'claimed')
      await this.ctx.matches.unclaimMove(this.matchId, this.guild.id, userId, this.holder);
  }

  /** The claim asked for ahead goes back now (the player left voice before their move). */
  async giveBack(userId: string): Promise<void> {
    const claim = this.#claims.take(userId);
    if (claim) await this.#giveBack(userId, claim);
  }
}

/**
 * Moves the faction's linked players who are in voice, each at most once per match (SQL claim lease). A move
 * Discord refuses is that player's problem: logged with what to fix, the claim given back (moveOnce),
 * the others still moved.
 */
async function movePlayers(build: GuildBuild, plan: ChannelPlan, channelId: string): Promise<void> {
  // Moves are independent calls: do them at once rather than one after another.
  await Promise.all(
    // Players only: bench substitutes may join the channel but are not moved.
    plan.moveIds.map(async (userId) => {
      const from = voiceChannelOf(build.guild, userId);
      // Left voice since the claim was asked for: it goes back so their next connect moves them.
      if (!from) return build.giveBack(userId);
      try {
        const ahead = build.takeClaim(userId);
        if (await moveOnce(build, { userId, from, to: channelId, ahead })) {
          build.log.info({ userId, channelId }, 'player moved in');
        }
      } catch (err) {
        if (!(err instanceof MoveRefusedError)) throw err;
        build.log.warn({ userId, channelId, from, err: err.message }, 'player not moved: Discord refused');
      }
    }),
  );
}
