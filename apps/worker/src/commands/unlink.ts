import { SlashCommandBuilder } from 'discord.js';
import type { SlashCommand } from './types.ts';

/** /unlink: removes the caller's own link. */
export const unlinkCommand: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('unlink')
    .setDescription('Remove the link to your FACEIT account')
    .toJSON(),
  async execute(interaction, deps) {
    const removed = await deps.links.remove(interaction.user.id);
    await interaction.editReply(
      removed
        ? `Unlinked: you are no longer linked to FACEIT account **${removed.faceit_nickname}**.`
        : 'You had no FACEIT account linked.',
    );
  },
};
