import { SlashCommandBuilder } from 'discord.js';
import type { WorkerDeps } from '../deps.ts';
import type { SlashCommand } from './types.ts';

/** What this command uses of the worker. */
type CommandDeps = Pick<WorkerDeps, 'links'>;

/** /whoami: the caller's linked FACEIT nickname and how it was verified. */
export const whoamiCommand: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('whoami')
    .setDescription('Show which FACEIT account you are linked to')
    .toJSON(),
  async execute(interaction, deps: CommandDeps) {
    const link = await deps.links.get(interaction.user.id);
    const how = {
      oauth: 'verified by signing in with FACEIT',
      nickname: 'claimed by nickname, not verified',
    };
    await interaction.editReply(
      link
        ? `You are linked to FACEIT account **${link.faceit_nickname}** (${how[link.verified_method]}).`
        : 'You are not linked to a FACEIT account. Use /link to sign in with FACEIT, or /register with your nickname.',
    );
  },
};
