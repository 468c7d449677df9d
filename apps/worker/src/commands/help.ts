import { PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { WorkerDeps } from '../deps.ts';
import { setupWarnings } from './setup/show.ts';
import type { SlashCommand } from './types.ts';

/** What this command uses of the worker. */
type CommandDeps = Pick<WorkerDeps, 'guilds' | 'links'>;

const PLAYERS = [
  '**For players**',
  '- When a FACEIT match this server follows starts, each team gets a private voice channel, and linked players are moved into theirs.',
  '- Link once: `/link` (sign in with FACEIT). `/whoami` shows your link, `/unlink` removes it.',
  '- Only linked players can see and join their team channel; be connected to any voice channel of this server to be moved in (late joiners are moved when they connect).',
  '- At the end everyone goes back to the lobby and the channels are deleted.',
];

/** /help: for players, what happens and how to link; for moderators, the setup steps and what this server still lacks. */
export const helpCommand: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('help')
    .setDescription('How the FACEIT voice bridge works here, and how to set it up')
    .toJSON(),
  async execute(interaction, deps: CommandDeps) {
    const lines = [...PLAYERS];
    const guildId = interaction.guildId;
    if (guildId) {
      const linked = await deps.links.get(interaction.user.id);
      lines.push(
        linked
          ? `You are linked as **${linked.faceit_nickname}**.`
          : '**You are not linked yet: use /link.**',
      );
    }
    if (guildId && interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
      const [settings, follows] = await Promise.all([deps.guilds.get(guildId), deps.guilds.follows(guildId)]);
      lines.push(
        '',
        '**For moderators** (Manage Server)',
        `1. \`/setup channels category: lobby:\` — where match channels go, where players return.${settings?.category_id ? ' ✅' : ''}${settings?.lobby_channel_id ? '' : ' ❌ no lobby yet'}`,
        `2. \`/setup follow kind: id:\` — which hub, championship or organizer (or members, all) gets channels here.${follows.length > 0 ? ` ✅ ${follows.length} followed` : ' ❌ nothing followed yet'}`,
        '3. `/setup show` — the settings and what the bot lacks where.',
        '4. Optional: `/setup roles`, `/setup cards`, `/setup levels`, `/setup nicknames`, `/setup linking`; `/setup clear setting:` unsets one.',
        ...setupWarnings(settings?.lobby_channel_id ?? null, follows.length),
      );
    }
    await interaction.editReply({ content: lines.join('\n'), allowedMentions: { parse: [] } });
  },
};
