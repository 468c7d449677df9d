import type { Faction } from '../domain/channel-plan.ts';
import type { Follow, FollowKind, MatchRouting } from '../domain/follows.ts';
import type { LinkPolicy } from '../domain/guild-links.ts';
import { check, Store } from './client.ts';

export interface GuildSettings {
  guild_id: string;
  category_id: string | null;
  lobby_channel_id: string | null;
  staff_role_id: string | null;
  spectator_role_id: string | null;
  name_template: string;
  user_limit: number;
  source: 'env' | 'setup';
  /** Whether nickname claims count here (/setup linking). */
  link_policy: LinkPolicy;
  created_at: string;
  updated_at: string;
}

/** What DISCORD_GUILD_ID + VC_* say (single-guild mode); an undefined field clears its column. */
export interface GuildSeed {
  guildId: string;
  categoryId?: string | undefined;
  lobbyChannelId?: string | undefined;
  staffRoleId?: string | undefined;
  nameTemplate?: string | undefined;
}

/** A guild that may take a match: its settings and its follows that may take it. */
export interface Candidate {
  settings: GuildSettings;
  follows: Follow[];
}

/** A guild_candidates row: the settings with the follows that may take the match. */
export type CandidateRow = GuildSettings & { guild_follows: { kind: FollowKind; target_id: string }[] };

/** The ids a follow may name for this match: its competition and organizer (FACEIT id characters only). */
export function candidateTargets(match: MatchRouting): string[] {
  return [match.competitionId, match.organizerId]
    .filter((id): id is string => !!id)
    .map((id) => id.toLowerCase())
    .filter((id) => /^[0-9a-z-]+$/.test(id));
}

export function toCandidates(rows: readonly CandidateRow[]): Candidate[] {
  return rows.map(({ guild_follows, ...settings }) => ({
    settings,
    follows: guild_follows.map((f) => ({ guildId: settings.guild_id, kind: f.kind, targetId: f.target_id })),
  }));
}

export interface ActiveGuildMatch {
  matchId: string;
  startedAt: string;
  channels: { faction: Faction; channelId: string }[];
}

type Editable = Partial<
  Pick<
    GuildSettings,
    'category_id' | 'lobby_channel_id' | 'staff_role_id' | 'spectator_role_id' | 'user_limit' | 'link_policy'
  >
>;

/** guild_settings + guild_follows: each guild's voice settings and what it follows. */
export class GuildStore extends Store {
  /** Single-guild mode at start-up: the columns become exactly what the env says; the guild follows all. */
  async seed(s: GuildSeed): Promise<void> {
    await this.rpc('guild_seed', {
      p_guild_id: s.guildId,
      p_category_id: s.categoryId ?? null,
      p_lobby_channel_id: s.lobbyChannelId ?? null,
      p_staff_role_id: s.staffRoleId ?? null,
      p_name_template: s.nameTemplate ?? null,
    });
  }

  async get(guildId: string): Promise<GuildSettings | null> {
    return check<GuildSettings | null>(
      'guild_settings.get',
      await this.db.from('guild_settings').select('*').eq('guild_id', guildId).maybeSingle(),
    );
  }

  /** Every guild's settings (the sweep looks for orphans in each), by guild id. */
  async all(): Promise<GuildSettings[]> {
    return check<GuildSettings[]>(
      'guild_settings.all',
      await this.db.from('guild_settings').select('*').order('guild_id'),
    );
  }

  /** Guilds where the bridge owns something: channel rows, or an unrecorded channel create (the sweep's every-time list). */
  async sweepTargets(): Promise<GuildSettings[]> {
    return check<GuildSettings[]>('guild_sweep_targets', await this.db.rpc('guild_sweep_targets'));
  }

  /** A page of every guild's settings, by guild id after `after` ('' = from the start): the sweep's slow pass. */
  async page(after: string, limit: number): Promise<GuildSettings[]> {
    return check<GuildSettings[]>(
      'guild_settings.page',
      await this.db.from('guild_settings').select('*').gt('guild_id', after).order('guild_id').limit(limit),
    );
  }

  /** How many guilds have settings. */
  async count(): Promise<number> {
    const res = await this.db.from('guild_settings').select('guild_id', { count: 'exact', head: true });
    if (res.error) throw new Error(`guild_settings.count: ${res.error.message}`);
    return res.count ?? 0;
  }

  /** Sets the given columns, creating the guild's row on first use (/setup channels, /setup roles). */
  async update(guildId: string, fields: Editable): Promise<GuildSettings> {
    return check<GuildSettings>(
      'guild_settings.update',
      await this.db
        .from('guild_settings')
        .upsert({ guild_id: guildId, ...fields }, { onConflict: 'guild_id' })
        .select('*')
        .single(),
    );
  }

  /** Adds a follow; answers false when the guild already followed it. */
  async follow(guildId: string, kind: FollowKind, targetId: string): Promise<boolean> {
    await this.ensure(guildId);
    const rows = check<unknown[]>(
      'guild_follows.insert',
      await this.db
        .from('guild_follows')
        .upsert(
          { guild_id: guildId, kind, target_id: targetId },
          { onConflict: 'guild_id,kind,target_id', ignoreDuplicates: true },
        )
        .select('guild_id'),
    );
    return rows.length === 1;
  }

  /** Removes a follow; answers false when the guild did not follow it. */
  async unfollow(guildId: string, kind: FollowKind, targetId: string): Promise<boolean> {
    const rows = check<unknown[]>(
      'guild_follows.delete',
      await this.db
        .from('guild_follows')
        .delete()
        .eq('guild_id', guildId)
        .eq('kind', kind)
        .eq('target_id', targetId)
        .select('guild_id'),
    );
    return rows.length > 0;
  }

  /** Every follow of every guild (routing reads them per match), or of one guild. */
  async follows(guildId?: string): Promise<Follow[]> {
    let q = this.db.from('guild_follows').select('guild_id, kind, target_id').order('guild_id');
    if (guildId) q = q.eq('guild_id', guildId);
    const rows = check<{ guild_id: string; kind: FollowKind; target_id: string }[]>(
      'guild_follows.list',
      await q.order('kind').order('target_id'),
    );
    return rows.map((r) => ({ guildId: r.guild_id, kind: r.kind, targetId: r.target_id }));
  }

  /**
   * The guild's matches that have channels and have not ended (/status), oldest first; `startedAt` is
   * when the bridge first heard of the match.
   */
  async activeMatches(guildId: string): Promise<ActiveGuildMatch[]> {
    const rows = check<{ match_id: string; faction: Faction; voice_channel_id: string }[]>(
      'active_matches.byGuild',
      await this.db
        .from('active_matches')
        .select('match_id, faction, voice_channel_id')
        .eq('guild_id', guildId)
        .order('faction'),
    );
    if (rows.length === 0) return [];
    const states = check<{ match_id: string; created_at: string }[]>(
      'match_states.active',
      await this.db
        .from('match_states')
        .select('match_id, created_at')
        .in('match_id', [...new Set(rows.map((r) => r.match_id))])
        .eq('status', 'active'),
    );
    const byMatch = new Map<string, ActiveGuildMatch>(
      states.map((st) => [st.match_id, { matchId: st.match_id, startedAt: st.created_at, channels: [] }]),
    );
    for (const r of rows)
      byMatch.get(r.match_id)?.channels.push({ faction: r.faction, channelId: r.voice_channel_id });
    return [...byMatch.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  /** The bot left the guild: settings, follows and channel rows go. Answers the channel rows removed. */
  async forget(guildId: string): Promise<number> {
    return this.rpc<number>('guild_forget', { p_guild_id: guildId });
  }

  /**
   * The bot was removed from the guild: as `forget`, but its settings, follows and server links are put aside
   * (removed_guilds) for a re-invite. Answers the channel rows removed.
   */
  async shelve(guildId: string): Promise<number> {
    return this.rpc<number>('guild_shelve', { p_guild_id: guildId });
  }

  /** The bot was added to the guild: its rows put aside less than `maxAgeDays` ago come back. */
  async unshelve(guildId: string, maxAgeDays: number): Promise<boolean> {
    return this.rpc<boolean>('guild_unshelve', { p_guild_id: guildId, p_max_age_days: maxAgeDays });
  }

  /**
   * The guilds whose rows are put aside (removed the bot, kept for a re-invite): few, whatever the number of
   * servers the bot is in. A shard coming up checks its guilds against them in one query.
   */
  async shelvedIds(): Promise<Set<string>> {
    const rows = check<{ guild_id: string }[]>(
      'removed_guilds.list',
      await this.db.from('removed_guilds').select('guild_id'),
    );
    return new Set(rows.map((r) => r.guild_id));
  }

  /** Forgets the guilds removed longer ago than `maxAgeDays`; answers how many. */
  async expireShelf(maxAgeDays: number): Promise<number> {
    return this.rpc<number>('guild_shelf_expire', { p_max_age_days: maxAgeDays });
  }

  private async ensure(guildId: string): Promise<void> {
    check(
      'guild_settings.ensure',
      await this.db
        .from('guild_settings')
        .upsert({ guild_id: guildId }, { onConflict: 'guild_id', ignoreDuplicates: true }),
    );
  }
}
