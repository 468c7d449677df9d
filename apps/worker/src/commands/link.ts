import { createOAuthState, createPkcePair, faceitOAuthFromConfig, putOAuthState } from '@bridge/core';
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, SlashCommandBuilder } from 'discord.js';
import type { SlashCommand } from './types.ts';

/** /link: a one-time FACEIT sign-in button (OAuth2 code flow + PKCE S256, state bound to this user). */
export const linkCommand: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('link')
    .setDescription('Link your FACEIT account by signing in with FACEIT')
    .toJSON(),
  async execute(interaction, deps) {
    const { verifier, challenge } = await createPkcePair();
    const state = createOAuthState();
    await putOAuthState(deps.redis, deps.config.QUEUE_PREFIX, state, {
      discordUserId: interaction.user.id,
      verifier,
    });
    const url = faceitOAuthFromConfig(deps.config).authorizeUrl(state, challenge);
    const button = new ButtonBuilder().setStyle(ButtonStyle.Link).setLabel('Sign in with FACEIT').setURL(url);
    // Deferred (ephemeral) by the router before the Redis write above.
    await interaction.editReply({
      content:
        'Press the button and sign in with FACEIT to link your account. The button works once, for 10 minutes.',
      components: [new ActionRowBuilder<ButtonBuilder>().addComponents(button)],
    });
  },
};
