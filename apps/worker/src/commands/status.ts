import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { WorkerDeps } from '../deps.ts';
import { setupWarnings } from './setup/show.ts';
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
    const [matches, settings, follows] = await Promise.all([
      deps.guilds.activeMatches(interaction.guildId),
      deps.guilds.get(interaction.guildId),
      deps.guilds.follows(interaction.guildId),
    ]);
    const warnings = setupWarnings(settings?.lobby_channel_id ?? null, follows.length);
    if (matches.length === 0) {
      await interaction.editReply({
        content: [...warnings, 'No active matches with voice channels in this server.'].join('\n'),
        allowedMentions: { parse: [] },
      });
      return;
    }
    const lines = matches.map((m) => {
      const started = Math.floor(new Date(m.startedAt).getTime() / 1000);
      const channels = m.channels.map((c) => `${c.faction} <#${c.channelId}>`).join(', ');
      return `- \`${m.matchId}\`: ${channels}, started <t:${started}:R>`;
    });
    await interaction.editReply({
      content: [
        ...warnings,
        `**${matches.length} active match${matches.length === 1 ? '' : 'es'}**`,
        ...lines,
      ].join('\n'),
      allowedMentions: { parse: [] },
    });
  },
};
