import { LINK_POLICIES, type LinkPolicy } from '@bridge/core';
import type { SetupHandler } from './types.ts';

/** What each policy means, as /setup linking and /setup show say it. */
export const POLICY_TEXT: Record<LinkPolicy, string> = {
  'verified-only':
    'verified-only: only links proven by signing in with FACEIT (/link) and links this server set with /admin link let players into their team channel here',
  'nickname-allowed':
    'nickname-allowed: nickname links (/register, no proof) count here too: anyone may claim a FACEIT nickname nobody verified and be let into that player’s team channel',
};

const isPolicy = (v: string): v is LinkPolicy => (LINK_POLICIES as readonly string[]).includes(v);

/** /setup linking policy: whether nickname links count in this server. */
export const setupLinking: SetupHandler = async (interaction, guild, deps) => {
  const policy = interaction.options.getString('policy', true);
  if (!isPolicy(policy)) {
    return `Unknown policy ${policy}: pick ${LINK_POLICIES.join(' or ')}. Nothing was changed.`;
  }
  await deps.guilds.update(guild.id, { link_policy: policy });
  deps.log.info({ guildId: guild.id, policy }, 'setup linking');
  return [
    `Linking policy: ${POLICY_TEXT[policy]}.`,
    'It applies to match channels from the next event on; level roles and nicknames follow at each member’s next link or finished match.',
  ].join('\n');
};
