import { DEFAULT_LINK_POLICY, memberLinkState, type VerifiedMethod } from '@bridge/core';
import { SlashCommandBuilder } from 'discord.js';
import type { WorkerDeps } from '../deps.ts';
import type { SlashCommand } from './types.ts';

/** What this command uses of the worker. */
type CommandDeps = Pick<WorkerDeps, 'links' | 'guilds'>;

const HOW: Record<VerifiedMethod, string> = {
  oauth: 'verified by signing in with FACEIT',
  nickname: 'claimed by nickname, not verified',
  operator: 'set by an operator of this bridge',
};

/** /whoami: the caller's linked FACEIT account, how it was verified, and whether it counts in this server. */
export const whoamiCommand: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('whoami')
    .setDescription('Show which FACEIT account you are linked to')
    .toJSON(),
  async execute(interaction, deps: CommandDeps) {
    const userId = interaction.user.id;
    const guildId = interaction.guildId;
    const [rows, settings] = await Promise.all([
      deps.links.rows({ discordIds: [userId], ...(guildId ? { guildId } : {}) }),
      guildId ? deps.guilds.get(guildId) : null,
    ]);
    const own = rows.links.find((l) => l.discord_id === userId);
    const lines = [
      own
        ? `You are linked to FACEIT account **${own.faceit_nickname}** (${HOW[own.verified_method]}).`
        : 'You are not linked to a FACEIT account. Use /link to sign in with FACEIT, or /register with your nickname.',
    ];
    if (guildId) {
      const policy = settings?.link_policy ?? DEFAULT_LINK_POLICY;
      const here = memberLinkState({ guildId, policy, ...rows }, userId);
      if (here.kind === 'linked' && here.link.source === 'server') {
        lines.push(
          `In this server you are **${here.link.nickname}**: set by this server's admins (it applies here only).`,
        );
      } else if (here.kind === 'claim-not-counted') {
        lines.push(
          'This server counts only verified links: use /link and sign in with FACEIT to be let into your team channel here.',
        );
      } else if (here.kind === 'hidden-here') {
        lines.push("In this server you are not linked: this server's admins set it so.");
      }
    }
    await interaction.editReply(lines.join('\n'));
  },
};
