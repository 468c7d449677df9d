import type { GuildSettings, LinkPolicy } from '@bridge/core';
import { UnrecoverableError } from 'bullmq';
import type { MatchContext } from './match-context.ts';

/** What the match jobs need of a guild's settings (guild_settings row; unset ids are undefined). */
export interface VoiceSettings {
  categoryId: string | undefined;
  lobbyChannelId: string | undefined;
  staffRoleId: string | undefined;
  spectatorRoleId: string | undefined;
  nameTemplate: string;
  /** Voice user limit of new match channels; 0 = none. */
  userLimit: number;
  /** Whether nickname claims count here. */
  linkPolicy: LinkPolicy;
}

export function voiceSettings(row: GuildSettings): VoiceSettings {
  return {
    categoryId: row.category_id ?? undefined,
    lobbyChannelId: row.lobby_channel_id ?? undefined,
    staffRoleId: row.staff_role_id ?? undefined,
    spectatorRoleId: row.spectator_role_id ?? undefined,
    nameTemplate: row.name_template,
    userLimit: row.user_limit,
    linkPolicy: row.link_policy,
  };
}

/**
 * Read per job, not cached: a /setup change on any worker copy applies to the next job everywhere.
 * A guild without a row was never set up: nothing to build there until it is (DISCORD_GUILD_ID's row
 * may only be late: the job retries).
 */
export async function settingsOf(ctx: MatchContext, guildId: string): Promise<VoiceSettings> {
  const row = await ctx.guilds.get(guildId);
  if (!row && guildId === ctx.config.DISCORD_GUILD_ID) {
    // Seeded at start; a database that was down then is seeded again in the background.
    throw new Error(
      `guild ${guildId} has no settings yet: seeding from DISCORD_GUILD_ID / VC_* is pending; retrying`,
    );
  }
  if (!row) {
    throw new UnrecoverableError(
      `guild ${guildId} has no settings: set DISCORD_GUILD_ID (single-guild mode) or run /setup there`,
    );
  }
  return voiceSettings(row);
}
