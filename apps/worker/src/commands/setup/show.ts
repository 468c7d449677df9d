import { DEFAULT_LINK_POLICY } from '@bridge/core';
import { levelShowLines } from './levels-show.ts';
import { POLICY_TEXT } from './linking.ts';
import { permissionReport } from './permission-report.ts';
import type { SetupHandler } from './types.ts';

/**
 * What makes a server get nothing, or lose players at the end, said first (/setup show, /status, /help): no
 * follow, no lobby.
 */
export function setupWarnings(lobbyId: string | null, follows: number): string[] {
  return [
    ...(follows === 0
      ? [
          '⚠️ This server follows nothing, so no match gets channels here: /setup follow kind:hub id:<hub id> (or championship, organizer, members, all).',
        ]
      : []),
    ...(lobbyId
      ? []
      : [
          '⚠️ No lobby: at the end of a match its players are disconnected when the channels go. Set one: /setup channels lobby:<voice channel>.',
        ]),
  ];
}

/** /setup show: the settings, what the guild follows, and the bot's permissions where it needs them. */
export const setupShow: SetupHandler = async (_interaction, guild, deps) => {
  const store = deps.guilds;
  const [settings, follows] = await Promise.all([store.get(guild.id), store.follows(guild.id)]);
  const id = (v: string | null | undefined, fmt: (x: string) => string) => (v ? fmt(v) : 'not set');
  const lines = [
    ...setupWarnings(settings?.lobby_channel_id ?? null, follows.length),
    `**Settings**${settings?.source === 'env' ? ' (from DISCORD_GUILD_ID / VC_*: every worker start resets category, lobby, staff role and names to them)' : ''}`,
    `category: ${id(settings?.category_id, (x) => `<#${x}>`)}`,
    `lobby: ${id(settings?.lobby_channel_id, (x) => `<#${x}>`)}`,
    `staff role: ${id(settings?.staff_role_id, (x) => `<@&${x}>`)}`,
    `spectator role: ${id(settings?.spectator_role_id, (x) => `<@&${x}>`)}`,
    `channel names: \`${settings?.name_template ?? 'match-{short}-{faction}'}\``,
    `user limit: ${settings?.user_limit ? settings.user_limit : 'none'}`,
    `linking: ${POLICY_TEXT[settings?.link_policy ?? DEFAULT_LINK_POLICY]} (/setup linking)`,
    `match cards: ${id((settings as { cards_channel_id?: string | null } | null)?.cards_channel_id, (x) => `<#${x}>`).replace('not set', 'off (/setup cards channel:)')}`,
    ...(await levelShowLines(guild.id, deps.levels)),
    '**Follows**',
    ...(follows.length > 0
      ? follows.map((f) => `- ${f.kind}${f.targetId ? ` \`${f.targetId}\`` : ''}`)
      : ['nothing yet: /setup follow kind:hub id:<hub id> (or all, members, championship, organizer)']),
    '**Permissions**',
    ...(await permissionReport(guild, settings?.category_id ?? null, settings?.lobby_channel_id ?? null)),
  ];
  return lines.join('\n');
};
