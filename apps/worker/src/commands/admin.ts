import { PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { WorkerDeps } from '../deps.ts';
import { levelsOnLink, levelsOnUnlink } from '../levels/apply.ts';
import type { SlashCommand } from './types.ts';

/** What this command uses of the worker. */
type CommandDeps = Pick<WorkerDeps, 'log' | 'links' | 'faceit' | 'client' | 'levels'>;

/** /admin link|unlink: staff fix other members' links. Manage Server only. */
export const adminCommand: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('admin')
    .setDescription('Manage other members’ FACEIT links')
    // Hides the command from others in the client; the runtime check below is what enforces it.
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addSubcommand((s) =>
      s
        .setName('link')
        .setDescription('Link a member to a FACEIT nickname')
        .addUserOption((o) => o.setName('user').setDescription('The member').setRequired(true))
        .addStringOption((o) =>
          o.setName('nickname').setDescription('Their FACEIT nickname').setRequired(true).setMaxLength(64),
        ),
    )
    .addSubcommand((s) =>
      s
        .setName('unlink')
        .setDescription('Remove a member’s FACEIT link')
        .addUserOption((o) => o.setName('user').setDescription('The member').setRequired(true)),
    )
    .toJSON(),
  async execute(interaction, deps: CommandDeps) {
    // default_member_permissions can be overridden per server; the permission is checked here again.
    if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
      deps.log.warn('admin command refused: no Manage Server');
      await interaction.editReply(
        'Only members with the Manage Server permission can use /admin. Nothing was changed.',
      );
      return;
    }
    const user = interaction.options.getUser('user', true);
    if (interaction.options.getSubcommand() === 'unlink') {
      const removed = await deps.links.remove(user.id);
      if (removed) await levelsOnUnlink(deps, user.id, removed.faceit_nickname, deps.log);
      await interaction.editReply({
        content: removed
          ? `Unlinked <@${user.id}> from FACEIT account **${removed.faceit_nickname}**.`
          : `<@${user.id}> had no FACEIT account linked.`,
        allowedMentions: { parse: [] },
      });
      return;
    }
    const nickname = interaction.options.getString('nickname', true).trim();
    const player = await deps.faceit.findPlayerByNickname(nickname);
    if (!player) {
      await interaction.editReply(`There is no FACEIT player called **${nickname}**. Nothing was changed.`);
      return;
    }
    const outcome = await deps.links.claimNickname(user.id, player.player_id, player.nickname);
    deps.log.info({ target: user.id, faceitId: player.player_id, outcome }, 'admin link');
    if (outcome === 'linked') {
      const link = { discordUserId: user.id, faceitId: player.player_id, faceitNickname: player.nickname };
      await levelsOnLink(deps, link, deps.log);
    }
    await interaction.editReply({
      content:
        outcome === 'linked'
          ? `Linked <@${user.id}> to FACEIT account **${player.nickname}**.`
          : `**${player.nickname}** is already linked to another Discord user. Run /admin unlink on them first. Nothing was changed.`,
      allowedMentions: { parse: [] },
    });
  },
};
