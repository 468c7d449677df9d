import type { Faction } from '../domain/channel-plan.ts';
import type { EventStamp, StoredMatch } from '../domain/events.ts';
import type { MatchRouting } from '../domain/follows.ts';
import type { LinkPolicy } from '../domain/guild-links.ts';
import { check, Store } from './client.ts';
import { type Candidate, type CandidateRow, candidateTargets, toCandidates } from './guilds.ts';
import { type LinkRows, type LinkRowsAnswer, toLinkRows } from './player-links.ts';

export type MoveClaim = 'claimed' | 'done' | 'held';

export interface ActiveMatchRow {
  match_id: string;
  faction: Faction;
  guild_id: string;
  voice_channel_id: string;
  created_at: string;
}

/** A rostered account of a live team channel in a guild (match_live_members). */
export interface LiveRosterRow {
  guild_id: string;
  match_id: string;
  voice_channel_id: string;
  faceit_id: string;
}

/** match_live_members' answer: the live channels' rosters, the guilds' link policies, the links about them. */
export interface LiveRosters {
  rosters: LiveRosterRow[];
  policies: Record<string, LinkPolicy | null>;
  links: LinkRows;
}

/** What one prune removed: ended matches (their states), their rosters and move claims, expired leases. */
export interface PruneResult {
  matches: number;
  rosters: number;
  moves: number;
  leases: number;
}

/** Match lifecycle state: every decision that must be atomic across workers is one SQL function. */
export class MatchStore extends Store {
  /** Records the event; answers 'ended' when the match already ended (the event is then late). */
  async touch(matchId: string, event: string, version: number | null): Promise<'active' | 'ended'> {
    return this.rpc<'active' | 'ended'>('match_touch', {
      p_match_id: matchId,
      p_event: event,
      p_version: version,
    });
  }

  async end(matchId: string, reason: string): Promise<void> {
    await this.rpc('match_end', { p_match_id: matchId, p_reason: reason });
  }

  /** What the lifecycle decisions read of the match; null: never heard of it. */
  async state(matchId: string): Promise<MatchState | null> {
    return stateOf(await this.rpc<StateRow | null>('match_state_of', { p_match_id: matchId }));
  }

  /** touch, answering the whole state (never null: the touch creates it). */
  async touchState(matchId: string, event: string, version: number | null): Promise<MatchState> {
    const row = await this.rpc<StateRow | null>('match_touch_state', {
      p_match_id: matchId,
      p_event: event,
      p_version: version,
    });
    return stateOf(row) ?? { status: 'active', live: false, ended: null, reopened: null, reopens: 0 };
  }

  /** The bridge builds channels for the match from now on: MATCH_MAX_AGE_HOURS counts from here. */
  async markLive(matchId: string): Promise<void> {
    await this.rpc('match_mark_live', { p_match_id: matchId });
  }

  /** end, remembering the event that ended it (FACEIT's version and time) and the job that acted on it. */
  async endBy(matchId: string, reason: string, event: EventStamp, jobId: string | null): Promise<void> {
    await this.rpc('match_end_event', {
      p_match_id: matchId,
      p_reason: reason,
      p_event_at: event.at.toISOString(),
      p_version: event.version,
      p_job: jobId,
    });
  }

  /**
   * FACEIT restarted the ended match (match_reopen): `reopened` with the job that had ended it and the new
   * cycle; `active` (re-opened already); `stale` (the event is not newer than the end); `busy` (the
   * previous cycle's channel rows are not cleaned up yet); `missing`.
   */
  async reopen(matchId: string, event: EventStamp): Promise<ReopenResult> {
    const out = await this.rpc<{
      result: ReopenResult['result'];
      ended_job?: string | null;
      reopens?: number;
    }>('match_reopen', {
      p_match_id: matchId,
      p_event_at: event.at.toISOString(),
      p_version: event.version,
    });
    return { result: out.result, endedJob: out.ended_job ?? null, cycle: out.reopens ?? 0 };
  }

  async isEnded(matchId: string): Promise<boolean> {
    return this.rpc<boolean>('match_is_ended', { p_match_id: matchId });
  }

  async setRoster(matchId: string, faction: Faction, faceitIds: string[]): Promise<void> {
    await this.rpc('match_set_roster', {
      p_match_id: matchId,
      p_faction: faction,
      p_faceit_ids: faceitIds,
    });
  }

  async takeLease(key: string, holder: string, ttlSeconds: number): Promise<boolean> {
    return this.rpc<boolean>('lease_take', { p_key: key, p_holder: holder, p_ttl_seconds: ttlSeconds });
  }

  async releaseLease(key: string, holder: string): Promise<void> {
    await this.rpc('lease_release', { p_key: key, p_holder: holder });
  }

  /**
   * Claims the auto-move of (match, player) for `holder` for `ttlSeconds` (a lease, not a tombstone):
   * 'claimed' = the caller makes the move (re-taking its own claim extends it; an expired claim of a
   * holder that died is taken over), 'done' = the move was made already, 'held' = another holder's
   * claim is still running.
   */
  async claimMove(
    matchId: string,
    guildId: string,
    discordId: string,
    holder: string,
    ttlSeconds: number,
  ): Promise<MoveClaim> {
    return this.rpc<MoveClaim>('match_claim_move', {
      p_match_id: matchId,
      p_guild_id: guildId,
      p_discord_id: discordId,
      p_holder: holder,
      p_ttl_seconds: ttlSeconds,
    });
  }

  /** The move was made: the claim becomes final. False when the caller no longer held it. */
  async confirmMove(matchId: string, guildId: string, discordId: string, holder: string): Promise<boolean> {
    return this.rpc<boolean>('match_confirm_move', {
      p_match_id: matchId,
      p_guild_id: guildId,
      p_discord_id: discordId,
      p_holder: holder,
    });
  }

  /** Gives back a claim whose move did not happen (never a made move); `holder` limits it to that claim. */
  async unclaimMove(matchId: string, guildId: string, discordId: string, holder?: string): Promise<void> {
    await this.rpc('match_unclaim_move', {
      p_match_id: matchId,
      p_guild_id: guildId,
      p_discord_id: discordId,
      ...(holder ? { p_holder: holder } : {}),
    });
  }

  /** The player's team channels in this guild, of matches not ended (late joiners). */
  async channelsForPlayer(
    discordId: string,
    guildId: string,
  ): Promise<{ match_id: string; faction: Faction; voice_channel_id: string }[]> {
    return this.rpc('match_channels_for_player', { p_discord_id: discordId, p_guild_id: guildId });
  }

  /**
   * A member who connected to voice in a guild (late joiners): what deciding who they are there needs
   * (their links, the guild's policy) and the guild's team channels of active matches with an account they
   * may stand for, each with that account (SQL match_channels_for_member).
   */
  async channelsForMember(
    discordId: string,
    guildId: string,
  ): Promise<{
    links: LinkRows;
    policy: LinkPolicy | null;
    channels: { match_id: string; faction: Faction; voice_channel_id: string; faceit_id: string }[];
  }> {
    const out = await this.rpc<
      LinkRowsAnswer & {
        policy: LinkPolicy | null;
        channels: { match_id: string; faction: Faction; voice_channel_id: string; faceit_id: string }[];
      }
    >('match_channels_for_member', { p_discord_id: discordId, p_guild_id: guildId });
    return { links: toLinkRows(out), policy: out.policy, channels: out.channels };
  }

  /**
   * Who may have a team channel of an active match, and where: in these guilds, or in the guilds of one
   * gateway shard (`shard` of `shardCount`). The rosters of the live channels, each guild's link policy, and
   * the links and server links about those players (linksInGuild turns them into members per guild). What the
   * late-join listener keeps in memory; one round trip (SQL match_live_members).
   */
  async liveMembers(
    of: { guildIds: readonly string[] } | { shard: number; shardCount: number },
  ): Promise<LiveRosters> {
    const args =
      'guildIds' in of
        ? { p_guild_ids: [...of.guildIds] }
        : { p_shard: of.shard, p_shard_count: of.shardCount };
    const out = check<
      LinkRowsAnswer & { rosters: LiveRosterRow[]; policies: Record<string, LinkPolicy | null> }
    >('match_live_members', await this.db.rpc('match_live_members', args));
    return { rosters: out.rosters, policies: out.policies, links: toLinkRows(out) };
  }

  /** Matches with live channels (one faction1 row each). */
  async countActive(): Promise<number> {
    const res = await this.db
      .from('active_matches')
      .select('match_id', { count: 'exact', head: true })
      .eq('faction', 'faction1');
    check('active_matches.count', res);
    return res.count ?? 0;
  }

  async listActive(): Promise<{ match_id: string; created_at: string }[]> {
    return this.rpc('match_list_active');
  }

  /** The sweep's list: matches not ended, with when they went live (null: never, e.g. scheduled). */
  async listLive(): Promise<{ match_id: string; created_at: string; live_since: string | null }[]> {
    return this.rpc('match_list_live');
  }

  /**
   * Retention: forgets up to `limit` matches that ended more than `olderThanDays` ago (state, roster,
   * move claims; a match whose channel rows remain is kept) and every expired lease.
   */
  async prune(olderThanDays: number, limit = 1000): Promise<PruneResult> {
    return this.rpc<PruneResult>('match_prune', { p_older_than_days: olderThanDays, p_limit: limit });
  }

  /** The sweep got a 404 for this match: the streak of consecutive 404 sweeps, this one included. */
  async noteMissing(matchId: string): Promise<{ sweeps: number; forMs: number }> {
    const rows = await this.rpc<{ sweeps: number; missing_ms: number | string }[]>('match_note_missing', {
      p_match_id: matchId,
    });
    const row = rows[0];
    // No match_states row (cannot happen for a listed match): a fresh streak.
    return row ? { sweeps: row.sweeps, forMs: Number(row.missing_ms) } : { sweeps: 1, forMs: 0 };
  }

  /** The sweep read the match: any 404 streak is over. */
  async clearMissing(matchId: string): Promise<void> {
    await this.rpc('match_clear_missing', { p_match_id: matchId });
  }

  /** The match's channel rows: in one guild, or (no guildId) in every guild. */
  async rows(matchId: string, guildId?: string): Promise<ActiveMatchRow[]> {
    let q = this.db.from('active_matches').select('*').eq('match_id', matchId);
    if (guildId) q = q.eq('guild_id', guildId);
    return check<ActiveMatchRow[]>('active_matches.rows', await q);
  }

  async allChannelIds(): Promise<Set<string>> {
    const rows = check<{ voice_channel_id: string }[]>(
      'active_matches.all',
      await this.db.from('active_matches').select('voice_channel_id'),
    );
    return new Set(rows.map((r) => r.voice_channel_id));
  }

  /**
   * (match, guild) pairs of matches marked ended that still have rows: their clean-up was cut short (the
   * sweep finishes it), sorted by match then guild.
   */
  async endedWithRows(): Promise<{ matchId: string; guildId: string }[]> {
    const rows = check<{ match_id: string; guild_id: string }[]>(
      'active_matches.match_ids',
      await this.db.from('active_matches').select('match_id, guild_id'),
    );
    const ids = [...new Set(rows.map((r) => r.match_id))];
    if (ids.length === 0) return [];
    const ended = new Set(
      check<{ match_id: string }[]>(
        'match_states.ended',
        await this.db.from('match_states').select('match_id').eq('status', 'ended').in('match_id', ids),
      ).map((r) => r.match_id),
    );
    const pairs = new Map<string, { matchId: string; guildId: string }>();
    for (const r of rows) {
      if (ended.has(r.match_id))
        pairs.set(`${r.match_id} ${r.guild_id}`, { matchId: r.match_id, guildId: r.guild_id });
    }
    return [...pairs.values()].sort(
      (a, b) => a.matchId.localeCompare(b.matchId) || a.guildId.localeCompare(b.guildId),
    );
  }

  /**
   * Takes the (match, guild, faction) channel lease (`leaseKey`, renewed with takeLease) and, in the same round
   * trip, reads the ended marker and the faction's channel on record. null: another holder has the lease.
   * maybeOrphan: an earlier attempt got this far and recorded no channel (it died, failed or saw the end),
   * so a channel it created may exist that this copy's cache does not show.
   */
  async beginChannel(
    matchId: string,
    guildId: string,
    faction: Faction,
    leaseKey: string,
    holder: string,
    ttlSeconds: number,
  ): Promise<ChannelBegun | null> {
    const rows = await this.rpc<BeginRow[]>('match_channel_begin', {
      p_match_id: matchId,
      p_guild_id: guildId,
      p_faction: faction,
      p_lease_key: leaseKey,
      p_holder: holder,
      p_ttl_seconds: ttlSeconds,
    });
    return begunOf(rows[0]);
  }

  /**
   * What a match job reads before its first channel, in one round trip: the player links of `faceitIds`
   * with the server links about them (each guild decides who is who from them: linksInGuild),
   * the guilds that may take the match (guild_candidates), and — with `lease` — beginChannel's answer
   * for that guild and faction (`begun`: null when held elsewhere; undefined when not asked for).
   */
  async routeReads(
    faceitIds: string[],
    match: MatchRouting,
    lease?: {
      matchId: string;
      guildId: string;
      faction: Faction;
      key: string;
      holder: string;
      ttlSeconds: number;
    },
  ): Promise<{ links: LinkRows; candidates: Candidate[]; begun: ChannelBegun | null | undefined }> {
    const out = await this.rpc<LinkRowsAnswer & { candidates: CandidateRow[]; begun: BeginRow | null }>(
      'match_route_reads',
      {
        p_faceit_ids: faceitIds,
        p_targets: candidateTargets(match),
        ...(lease
          ? {
              p_match_id: lease.matchId,
              p_guild_id: lease.guildId,
              p_faction: lease.faction,
              p_lease_key: lease.key,
              p_holder: lease.holder,
              p_ttl_seconds: lease.ttlSeconds,
            }
          : {}),
      },
    );
    return {
      links: toLinkRows(out),
      candidates: toCandidates(out.candidates),
      begun: lease ? begunOf(out.begun ?? undefined) : undefined,
    };
  }

  /**
   * Records the faction's channel (and clears beginChannel's intent marker for `leaseKey`) and answers
   * whether the match has ended meanwhile (true: leave the channel to removeMatchChannels). One
   * transaction that locks the match's state first, so a concurrent end either is seen here or sees this row.
   */
  async recordChannel(
    row: Omit<ActiveMatchRow, 'created_at'>,
    leaseKey: string,
  ): Promise<{ ended: boolean }> {
    const ended = await this.rpc<boolean>('match_channel_record', {
      p_match_id: row.match_id,
      p_faction: row.faction,
      p_guild_id: row.guild_id,
      p_voice_channel_id: row.voice_channel_id,
      p_lease_key: leaseKey,
    });
    return { ended };
  }

  async forget(matchId: string, guildId: string, faction: Faction): Promise<void> {
    await this.rpc('match_forget', { p_match_id: matchId, p_guild_id: guildId, p_faction: faction });
  }
}

/** The stored match as the lifecycle decisions see it, plus its cycle (how often FACEIT restarted it). */
export interface MatchState extends StoredMatch {
  /** 0 until FACEIT restarts the match; each re-open starts a new cycle (cards and job ids use it). */
  reopens: number;
}

export interface ReopenResult {
  result: 'reopened' | 'active' | 'stale' | 'busy' | 'missing';
  /** The job that had ended the match (a byte-identical redelivery of its event must get through now). */
  endedJob: string | null;
  cycle: number;
}

interface StateRow {
  status: 'active' | 'ended';
  live_since: string | null;
  ended_at: string | null;
  ended_version: number | null;
  reopened_at: string | null;
  reopened_version: number | null;
  reopens: number;
}

function stateOf(row: StateRow | null): MatchState | null {
  if (!row) return null;
  const stamp = (at: string | null, version: number | null) =>
    at ? { version: version ?? null, at: new Date(at) } : null;
  return {
    status: row.status,
    live: row.live_since !== null,
    ended:
      row.status === 'ended'
        ? (stamp(row.ended_at, row.ended_version) ?? { version: null, at: new Date(0) })
        : null,
    reopened: stamp(row.reopened_at, row.reopened_version),
    reopens: row.reopens ?? 0,
  };
}

/** beginChannel's answer: the lease is ours, with the ended marker and the faction's channel on record. */
export interface ChannelBegun {
  ended: boolean;
  channelId: string | null;
  /** An earlier attempt set the intent marker and may have left a channel it did not record. */
  maybeOrphan: boolean;
}

interface BeginRow {
  taken: boolean;
  ended: boolean | null;
  voice_channel_id: string | null;
  maybe_orphan: boolean | null;
}

function begunOf(row: BeginRow | undefined): ChannelBegun | null {
  if (!row?.taken) return null;
  return {
    ended: row.ended === true,
    channelId: row.voice_channel_id,
    maybeOrphan: row.maybe_orphan === true,
  };
}
