import type { CardInput } from '../domain/match-card.ts';
import { check, Store } from './client.ts';

export interface MatchCardRow {
  match_id: string;
  guild_id: string;
  channel_id: string;
  message_id: string | null;
  card: CardInput | null;
  elo_before: Record<string, number> | null;
  voice_status: string;
  final: boolean;
}

type CardFields = Partial<Omit<MatchCardRow, 'match_id' | 'guild_id'>>;

/** guild_settings.cards_channel_id and match_cards: where a guild wants cards, and each card posted. */
export class CardStore extends Store {
  /** The guild's card channel; null: cards are off (or the guild has no settings). */
  async channelOf(guildId: string): Promise<string | null> {
    const row = check<{ cards_channel_id: string | null } | null>(
      'guild_settings.cards',
      await this.db.from('guild_settings').select('cards_channel_id').eq('guild_id', guildId).maybeSingle(),
    );
    return row?.cards_channel_id ?? null;
  }

  /** /setup cards: a channel id turns cards on there, null turns them off (creating the row on first use). */
  async setChannel(guildId: string, channelId: string | null): Promise<void> {
    check(
      'guild_settings.cards.set',
      await this.db
        .from('guild_settings')
        .upsert({ guild_id: guildId, cards_channel_id: channelId }, { onConflict: 'guild_id' }),
    );
  }

  async get(matchId: string, guildId: string): Promise<MatchCardRow | null> {
    return check<MatchCardRow | null>(
      'match_cards.get',
      await this.db
        .from('match_cards')
        .select('match_id, guild_id, channel_id, message_id, card, elo_before, voice_status, final')
        .eq('match_id', matchId)
        .eq('guild_id', guildId)
        .maybeSingle(),
    );
  }

  /** The servers with a card of this match (a map's line goes to each). */
  async guildsWithCard(matchId: string): Promise<string[]> {
    const rows = check<{ guild_id: string }[]>(
      'match_cards.guilds',
      await this.db.from('match_cards').select('guild_id').eq('match_id', matchId),
    );
    return rows.map((r) => r.guild_id).sort();
  }

  /** Writes the card's row (insert or update of the given fields). */
  async save(matchId: string, guildId: string, fields: CardFields & { channel_id: string }): Promise<void> {
    check(
      'match_cards.save',
      await this.db
        .from('match_cards')
        .upsert({ match_id: matchId, guild_id: guildId, ...fields }, { onConflict: 'match_id,guild_id' }),
    );
  }
}
