import { randomBytes } from 'node:crypto';
import { createOAuthState, createPkcePair, putLinkStart } from '@bridge/core';
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, SlashCommandBuilder } from 'discord.js';
import type { WorkerDeps } from '../deps.ts';
import type { SlashCommand } from './types.ts';

/** The API's start page lives next to its OAuth callback (FACEIT_REDIRECT_URI ends in /faceit/callback). */
export function linkStartUrl(redirectUri: string, token: string): string {
  const url = new URL('link/start', redirectUri);
  url.searchParams.set('t', token);
  return url.toString();
}

/**
 * /link: a one-time button to our own start page (OAuth2 code flow + PKCE S256, state bound to this
 * user). The page names the Discord account and binds the browser with a cookie before FACEIT: a
 * copied FACEIT URL is useless in another browser, and a forwarded start URL says whose link it is.
 */
export const linkCommand: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('link')
    .setDescription('Link your FACEIT account by signing in with FACEIT')
    .toJSON(),
  async execute(interaction, deps: Pick<WorkerDeps, 'redis' | 'config' | 'oauth'>) {
    const { verifier, challenge } = await createPkcePair();
    const state = createOAuthState();
    const token = randomBytes(32).toString('base64url');
    await putLinkStart(deps.redis, deps.config.QUEUE_PREFIX, token, {
      discordUserId: interaction.user.id,
      discordUsername: interaction.user.username,
      state,
      verifier,
      authorizeUrl: deps.oauth.authorizeUrl(state, challenge),
    });
    const url = linkStartUrl(deps.config.FACEIT_REDIRECT_URI, token);
    const button = new ButtonBuilder().setStyle(ButtonStyle.Link).setLabel('Sign in with FACEIT').setURL(url);
    // Deferred (ephemeral) by the router before the Redis write above.
    await interaction.editReply({
      content:
        'Press the button and sign in with FACEIT to link your account. The button works once, for 10 minutes. Do not share it: it links to your Discord account.',
      components: [new ActionRowBuilder<ButtonBuilder>().addComponents(button)],
    });
  },
};
