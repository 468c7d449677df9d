import { DEFAULT_LINK_POLICY } from '@bridge/core';
import { SlashCommandBuilder } from 'discord.js';
import type { WorkerDeps } from '../deps.ts';
import { levelsOnLink } from '../levels/apply.ts';
import type { SlashCommand } from './types.ts';

/** What this command uses of the worker. */
type CommandDeps = Pick<WorkerDeps, 'log' | 'links' | 'guilds' | 'faceit' | 'metrics' | 'client' | 'levels'>;

/**
 * /register nickname: links by FACEIT nickname without proof; it never takes someone else's account, and it
 * counts only in servers that allow nickname links (/setup linking).
 */
export const registerCommand: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('register')
    .setDescription('Link your FACEIT account by nickname (use /link to prove it is yours)')
    .addStringOption((o) =>
      o.setName('nickname').setDescription('Your FACEIT nickname').setRequired(true).setMaxLength(64),
    )
    .toJSON(),
  async execute(interaction, deps: CommandDeps) {
    const nickname = interaction.options.getString('nickname', true).trim();
    const player = await deps.faceit.findPlayerByNickname(nickname);
    if (!player) {
      deps.metrics.linkAttempts.inc({ method: 'nickname', outcome: 'not_found' });
      await interaction.editReply(`There is no FACEIT player called **${nickname}**. Check the spelling.`);
      return;
    }
    const outcome = await deps.links.claimNickname(interaction.user.id, player.player_id, player.nickname);
    const answers = {
      linked: `Linked: you are **${player.nickname}** on FACEIT. Use /link to verify it by signing in.`,
      taken_oauth: `**${player.nickname}** is already linked to another Discord user who verified it by signing in with FACEIT. If it is yours, use /link.`,
      taken_nickname: `**${player.nickname}** is already claimed by another Discord user. If it is yours, use /link to prove it: signing in moves it to you.`,
    };
    deps.log.info({ faceitId: player.player_id, outcome }, 'register');
    deps.metrics.linkAttempts.inc({ method: 'nickname', outcome });
    if (outcome === 'linked') {
      const link = {
        discordUserId: interaction.user.id,
        faceitId: player.player_id,
        faceitNickname: player.nickname,
      };
      await levelsOnLink(deps, link, deps.log);
    }
    const policy = interaction.guildId
      ? ((await deps.guilds.get(interaction.guildId))?.link_policy ?? DEFAULT_LINK_POLICY)
      : 'nickname-allowed';
    const note =
      outcome === 'linked' && policy === 'verified-only'
        ? '\nThis server counts only verified links: a nickname link does not let you into your team channel here. Use /link and sign in with FACEIT.'
        : '';
    await interaction.editReply(answers[outcome] + note);
  },
};
