import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { WorkerDeps } from '../deps.ts';
import type { SlashCommand } from './types.ts';

/** What this command uses of the worker. */
type CommandDeps = Pick<WorkerDeps, 'guilds'>;

/** /status: this guild's active matches, their channels and when they started. Manage Server. */
export const statusCommand: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('status')
    .setDescription('Show the FACEIT matches that have voice channels in this server')
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .setContexts(InteractionContextType.Guild)
    .toJSON(),
  async execute(interaction, deps: CommandDeps) {
    if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
      await interaction.editReply('Only members with the Manage Server permission can use /status.');
      return;
    }
    if (!interaction.guildId) {
      await interaction.editReply('/status works in a server, not in DMs.');
      return;
    }
    const matches = await deps.guilds.activeMatches(interaction.guildId);
    if (matches.length === 0) {
      await interaction.editReply('No active matches with voice channels in this server.');
      return;
    }
    const lines = matches.map((m) => {
      const started = Math.floor(new Date(m.startedAt).getTime() / 1000);
      const channels = m.channels.map((c) => `${c.faction} <#${c.channelId}>`).join(', ');
      return `- \`${m.matchId}\`: ${channels}, started <t:${started}:R>`;
    });
    await interaction.editReply({
      content: [`**${matches.length} active match${matches.length === 1 ? '' : 'es'}**`, ...lines].join('\n'),
      allowedMentions: { parse: [] },
    });
  },
};
