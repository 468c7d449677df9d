import type { SupabaseClient } from '@supabase/supabase-js';
import { check } from './client.ts';

export type VerifiedMethod = 'oauth' | 'nickname';

/** Outcome of a nickname claim (SQL claim_player_nickname). */
export type NicknameClaim = 'linked' | 'taken_oauth' | 'taken_nickname';

export interface PlayerLink {
  discord_id: string;
  faceit_id: string;
  faceit_nickname: string;
  verified_method: VerifiedMethod;
  created_at: string;
  updated_at: string;
}

/** player_links: which Discord user is which FACEIT player. */
export class PlayerLinkStore {
  readonly db: SupabaseClient;
  constructor(db: SupabaseClient) {
    this.db = db;
  }

  async get(discordId: string): Promise<PlayerLink | null> {
    return check<PlayerLink | null>(
      'player_links.get',
      await this.db.from('player_links').select('*').eq('discord_id', discordId).maybeSingle(),
    );
  }

  /** Links for a roster: FACEIT player id → Discord id. */
  async byFaceitIds(faceitIds: string[]): Promise<PlayerLink[]> {
    if (faceitIds.length === 0) return [];
    return check<PlayerLink[]>(
      'player_links.byFaceitIds',
      await this.db.from('player_links').select('*').in('faceit_id', faceitIds),
    );
  }

  /** Removes a Discord user's link; returns the removed row, or null when there was none. */
  async remove(discordId: string): Promise<PlayerLink | null> {
    return check<PlayerLink | null>(
      'player_links.remove',
      await this.db.from('player_links').delete().eq('discord_id', discordId).select('*').maybeSingle(),
    );
  }

  /**
   * OAuth-verified link (SQL link_player_oauth): moves the FACEIT account from whoever held it.
   * Returns the previous holder's Discord id, or null.
   */
  async linkOAuth(discordId: string, faceitId: string, nickname: string): Promise<string | null> {
    return check<string | null>(
      'player_links.linkOAuth',
      await this.db.rpc('link_player_oauth', {
        p_discord_id: discordId,
        p_faceit_id: faceitId,
        p_nickname: nickname,
      }),
    );
  }

  /** Nickname claim (SQL claim_player_nickname): never takes an account another user holds. */
  async claimNickname(discordId: string, faceitId: string, nickname: string): Promise<NicknameClaim> {
    return check<NicknameClaim>(
      'player_links.claimNickname',
      await this.db.rpc('claim_player_nickname', {
        p_discord_id: discordId,
        p_faceit_id: faceitId,
        p_nickname: nickname,
      }),
    );
  }
}
