import { SlashCommandBuilder } from 'discord.js';
import type { WorkerDeps } from '../deps.ts';
import { levelsOnUnlink } from '../levels/apply.ts';
import type { SlashCommand } from './types.ts';

/** What this command uses of the worker. */
type CommandDeps = Pick<WorkerDeps, 'links' | 'log' | 'client' | 'levels' | 'faceit'>;

/** /unlink: removes the caller's own link. */
export const unlinkCommand: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('unlink')
    .setDescription('Remove the link to your FACEIT account')
    .toJSON(),
  async execute(interaction, deps: CommandDeps) {
    const removed = await deps.links.remove(interaction.user.id);
    if (removed) await levelsOnUnlink(deps, interaction.user.id, removed.faceit_nickname, deps.log);
    await interaction.editReply(
      removed
        ? `Unlinked: you are no longer linked to FACEIT account **${removed.faceit_nickname}**.`
        : 'You had no FACEIT account linked.',
    );
  },
};
