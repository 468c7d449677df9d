import { DEFAULT_LINK_POLICY, type LinkPolicy } from '../domain/guild-links.ts';
import { FACEIT_LEVELS } from '../domain/level-roles.ts';
import { check, Store } from './client.ts';

/** A guild's level roles (index = level - 1; null = no role) and nickname template; null = off. */
export interface LevelSettings {
  guildId: string;
  levelRoleIds: (string | null)[] | null;
  nickTemplate: string | null;
  /** Whose links count there: roles and nicknames follow the guild's own idea of who is who. */
  linkPolicy: LinkPolicy;
}

interface Row {
  guild_id: string;
  level_role_ids: (string | null)[] | null;
  nick_template: string | null;
  link_policy: LinkPolicy;
}

const COLUMNS = 'guild_id, level_role_ids, nick_template, link_policy';
const toSettings = (r: Row): LevelSettings => ({
  guildId: r.guild_id,
  levelRoleIds: r.level_role_ids,
  nickTemplate: r.nick_template,
  linkPolicy: r.link_policy,
});

/** guild_settings' level-role and nickname columns, and a match's roster (what level sync reads). */
export class LevelSettingsStore extends Store {
  async get(guildId: string): Promise<LevelSettings> {
    const row = check<Row | null>(
      'guild_settings.levels.get',
      await this.db.from('guild_settings').select(COLUMNS).eq('guild_id', guildId).maybeSingle(),
    );
    return row
      ? toSettings(row)
      : { guildId, levelRoleIds: null, nickTemplate: null, linkPolicy: DEFAULT_LINK_POLICY };
  }

  /** Every guild with level roles or nicknames on. */
  async enabled(): Promise<LevelSettings[]> {
    const rows = check<Row[]>(
      'guild_settings.levels.enabled',
      await this.db
        .from('guild_settings')
        .select(COLUMNS)
        .or('level_role_ids.not.is.null,nick_template.not.is.null'),
    );
    return rows.map(toSettings);
  }

  /** Sets the ten roles (null = level roles off), creating the guild's row on first use. */
  async setLevelRoles(guildId: string, ids: (string | null)[] | null): Promise<void> {
    if (ids && ids.length !== FACEIT_LEVELS) throw new Error(`level roles need ${FACEIT_LEVELS} entries`);
    check(
      'guild_settings.levels.set',
      await this.db
        .from('guild_settings')
        .upsert({ guild_id: guildId, level_role_ids: ids }, { onConflict: 'guild_id' }),
    );
  }

  async setNickTemplate(guildId: string, template: string | null): Promise<void> {
    check(
      'guild_settings.nicknames.set',
      await this.db
        .from('guild_settings')
        .upsert({ guild_id: guildId, nick_template: template }, { onConflict: 'guild_id' }),
    );
  }

  /** The FACEIT ids of a match's players (its stored rosters: set when its channels were built). */
  async rosterOf(matchId: string): Promise<string[]> {
    const rows = check<{ faceit_id: string }[]>(
      'match_rosters.of',
      await this.db.from('match_rosters').select('faceit_id').eq('match_id', matchId),
    );
    return rows.map((r) => r.faceit_id);
  }
}
