import { FOLLOW_KINDS, LINK_POLICIES } from '@bridge/core';
import {
  ChannelType,
  InteractionContextType,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type SlashCommandStringOption,
} from 'discord.js';
import { setupCards } from './setup/cards.ts';
import { setupChannels } from './setup/channels.ts';
import { CLEARABLE, setupClear } from './setup/clear.ts';
import { setupFollow, setupUnfollow } from './setup/follow.ts';
import { setupLevels } from './setup/levels.ts';
import { setupLinking } from './setup/linking.ts';
import { setupNicknames } from './setup/nicknames.ts';
import { setupRoles } from './setup/roles.ts';
import { setupShow } from './setup/show.ts';
import type { SetupDeps, SetupHandler } from './setup/types.ts';
import type { SlashCommand } from './types.ts';

const handlers: Record<string, SetupHandler> = {
  follow: setupFollow,
  unfollow: setupUnfollow,
  channels: setupChannels,
  roles: setupRoles,
  levels: setupLevels,
  nicknames: setupNicknames,
  show: setupShow,
  cards: setupCards,
  linking: setupLinking,
  clear: setupClear,
};

const kindOption = (o: SlashCommandStringOption) =>
  o
    .setName('kind')
    .setDescription('What to follow')
    .setRequired(true)
    .addChoices(...FOLLOW_KINDS.map((k) => ({ name: k, value: k })));
const idOption = (o: SlashCommandStringOption) =>
  o
    .setName('id')
    .setDescription('The FACEIT hub, championship or organizer id (not for all / members)')
    .setMaxLength(64);

/** /setup: this guild's match channels, roles and what it follows. Manage Server, checked at run time. */
export const setupCommand: SlashCommand = {
  readsGuild: true,
  data: new SlashCommandBuilder()
    .setName('setup')
    .setDescription('Configure the FACEIT voice bridge in this server')
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .setContexts(InteractionContextType.Guild)
    .addSubcommand((s) =>
      s
        .setName('follow')
        .setDescription('Get channels for matches of a hub, championship, organizer, all, or members')
        .addStringOption(kindOption)
        .addStringOption(idOption),
    )
    .addSubcommand((s) =>
      s
        .setName('unfollow')
        .setDescription('Stop following something')
        .addStringOption(kindOption)
        .addStringOption(idOption),
    )
    .addSubcommand((s) =>
      s
        .setName('channels')
        .setDescription('Where match channels go, and the lobby players return to')
        .addChannelOption((o) =>
          o
            .setName('category')
            .setDescription('Category for match voice channels')
            .addChannelTypes(ChannelType.GuildCategory),
        )
        .addChannelOption((o) =>
          o
            .setName('lobby')
            .setDescription('Voice channel players go back to when a match ends')
            .addChannelTypes(ChannelType.GuildVoice),
        )
        .addIntegerOption((o) =>
          o
            .setName('user_limit')
            .setDescription('Most members in a match channel (0 = no limit)')
            .setMinValue(0)
            .setMaxValue(99),
        ),
    )
    .addSubcommand((s) =>
      s
        .setName('roles')
        .setDescription('Who may join every match channel')
        .addRoleOption((o) => o.setName('staff').setDescription('May join and speak in every match channel'))
        .addRoleOption((o) =>
          o.setName('spectator').setDescription('May join and listen in every match channel, not speak'),
        ),
    )
    .addSubcommand((s) =>
      s
        .setName('cards')
        .setDescription('Post a live card per match in a text channel, or turn cards off')
        .addChannelOption((o) =>
          o
            .setName('channel')
            .setDescription('Text channel for match cards')
            .addChannelTypes(ChannelType.GuildText, ChannelType.GuildAnnouncement),
        )
        .addBooleanOption((o) => o.setName('off').setDescription('Turn match cards off')),
    )
    .addSubcommand((s) =>
      s
        .setName('levels')
        .setDescription('Give linked members a role for their FACEIT level (1–10)')
        .addBooleanOption((o) =>
          o.setName('create').setDescription('Create ten roles "FACEIT Level 1" … "10" below the bot’s role'),
        )
        .addIntegerOption((o) =>
          o
            .setName('level')
            .setDescription('The FACEIT level to map to a role')
            .setMinValue(1)
            .setMaxValue(10),
        )
        .addRoleOption((o) => o.setName('role').setDescription('The existing role for that level'))
        .addBooleanOption((o) => o.setName('off').setDescription('Turn level roles off')),
    )
    .addSubcommand((s) =>
      s
        .setName('nicknames')
        .setDescription('Rename linked members with their FACEIT nickname and level')
        .addStringOption((o) =>
          o
            .setName('template')
            .setDescription('e.g. {nickname} [{level}] (needs {nickname} or {level})')
            .setMaxLength(100),
        )
        .addBooleanOption((o) => o.setName('off').setDescription('Stop renaming members')),
    )
    .addSubcommand((s) =>
      s
        .setName('linking')
        .setDescription('Whether nickname links (/register, no proof) let players into team channels here')
        .addStringOption((o) =>
          o
            .setName('policy')
            .setDescription(
              'verified-only: /link (FACEIT sign-in) only; nickname-allowed: /register counts too',
            )
            .setRequired(true)
            .addChoices(...LINK_POLICIES.map((p) => ({ name: p, value: p }))),
        ),
    )
    .addSubcommand((s) =>
      s
        .setName('clear')
        .setDescription(
          'Unset one setting (category, lobby, staff, spectator, user limit, cards, levels, nicknames)',
        )
        .addStringOption((o) =>
          o
            .setName('setting')
            .setDescription('The setting to clear')
            .setRequired(true)
            .addChoices(...Object.keys(CLEARABLE).map((k) => ({ name: k.replace('_', ' '), value: k }))),
        ),
    )
    .addSubcommand((s) =>
      s.setName('show').setDescription('Show the settings and check the bot’s permissions'),
    )
    .toJSON(),
  async execute(interaction, deps: SetupDeps) {
    // The router deferred (ephemeral) before anything else. default_member_permissions can be overridden per server; the permission is checked here again.
    if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
      deps.log.warn('setup refused: no Manage Server');
      await interaction.editReply(
        'Only members with the Manage Server permission can use /setup. Nothing was changed.',
      );
      return;
    }
    const guild = interaction.guild;
    if (!guild) {
      await interaction.editReply('/setup works in a server, not in DMs.');
      return;
    }
    const sub = interaction.options.getSubcommand();
    const handler = handlers[sub];
    if (!handler) {
      await interaction.editReply(`Unknown /setup ${sub}. Nothing was changed.`);
      return;
    }
    const content = await handler(interaction, guild, deps);
    await interaction.editReply({ content, allowedMentions: { parse: [] } });
  },
};
