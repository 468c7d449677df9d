import { SlashCommandBuilder } from 'discord.js';
import { levelsOnUnlink } from '../levels/apply.ts';
import type { SlashCommand } from './types.ts';

/** /unlink: removes the caller's own link. */
export const unlinkCommand: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('unlink')
    .setDescription('Remove the link to your FACEIT account')
    .toJSON(),
  async execute(interaction, deps) {
    const removed = await deps.links.remove(interaction.user.id);
    if (removed) await levelsOnUnlink(deps, interaction.user.id, removed.faceit_nickname, deps.log);
    await interaction.editReply(
      removed
        ? `Unlinked: you are no longer linked to FACEIT account **${removed.faceit_nickname}**.`
        : 'You had no FACEIT account linked.',
    );
  },
};
