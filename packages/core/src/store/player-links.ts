import type { GlobalLink, ServerLink, ServerLinkRefusal, VerifiedMethod } from '../domain/guild-links.ts';
import { check, Store } from './client.ts';

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

/** What deciding who is who in a server reads (SQL link_rows; domain linksInGuild). */
export interface LinkRows {
  /** The players' and members' own links, and those the server links are judged against. */
  links: GlobalLink[];
  overrides: ServerLink[];
}

/** The answer of a server link change (SQL guild_override_set). */
export type ServerLinkOutcome = 'set' | ServerLinkRefusal;

/** link_rows' answer: the links asked for, the server links about them, the links those are judged against. */
export interface LinkRowsAnswer {
  links: PlayerLink[];
  overrides: ServerLink[];
  override_links: PlayerLink[];
}

export function toLinkRows(r: LinkRowsAnswer): LinkRows {
  return { links: [...r.links, ...r.override_links], overrides: r.overrides };
}

/**
 * player_links: which Discord user is which FACEIT player, everywhere; guild_player_overrides: what one
 * server's admins said about one of its members, there only.
 */
export class PlayerLinkStore extends Store {
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

  /**
   * An operator's link (SQL link_player_operator): verified, moves the account from whoever held it.
   * Returns the previous holder's Discord id, or null.
   */
  async linkOperator(discordId: string, faceitId: string, nickname: string): Promise<string | null> {
    return check<string | null>(
      'player_links.linkOperator',
      await this.db.rpc('link_player_operator', {
        p_discord_id: discordId,
        p_faceit_id: faceitId,
        p_nickname: nickname,
      }),
    );
  }

  /**
   * What deciding who is who needs for these players and members, in one guild or (no guildId) all.
   * One round trip (SQL link_rows).
   */
  async rows(q: { faceitIds?: string[]; discordIds?: string[]; guildId?: string }): Promise<LinkRows> {
    return toLinkRows(
      await this.rpc<LinkRowsAnswer>('link_rows', {
        p_faceit_ids: q.faceitIds ?? null,
        p_discord_ids: q.discordIds ?? null,
        p_guild_id: q.guildId ?? null,
      }),
    );
  }

  /**
   * In `guildId` only, `discordId` is `account` (null: not linked there). Refused for a member whose link is
   * verified, an account someone verified, or one another member of that server has there.
   */
  async setServerLink(
    guildId: string,
    discordId: string,
    account: { faceitId: string; nickname: string } | null,
    setBy: string,
  ): Promise<ServerLinkOutcome> {
    return this.rpc<ServerLinkOutcome>('guild_override_set', {
      p_guild_id: guildId,
      p_discord_id: discordId,
      p_faceit_id: account?.faceitId ?? null,
      p_nickname: account?.nickname ?? null,
      p_set_by: setBy,
    });
  }

  /** The server forgets what it said about the member (their own link counts there again); the removed row. */
  async resetServerLink(guildId: string, discordId: string): Promise<ServerLink | null> {
    return check<ServerLink | null>(
      'guild_player_overrides.delete',
      await this.db
        .from('guild_player_overrides')
        .delete()
        .eq('guild_id', guildId)
        .eq('discord_id', discordId)
        .select('guild_id, discord_id, faceit_id, faceit_nickname')
        .maybeSingle(),
    );
  }
}
