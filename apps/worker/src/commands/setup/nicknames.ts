import { nickTemplateProblem, renderNickname } from '@bridge/core';
import { PermissionFlagsBits } from 'discord.js';
import type { SetupHandler } from './types.ts';

/** /setup nicknames template:"{nickname} [{level}]" | off:true — linked members' nicknames. */
export const setupNicknames: SetupHandler = async (interaction, guild, deps) => {
  const template = interaction.options.getString('template');
  const off = interaction.options.getBoolean('off') ?? false;
  const store = deps.levels;
  if ((template === null) === !off) {
    return 'Use one of: template:"{nickname} [{level}]", off:true. Nothing was changed.';
  }
  if (off) {
    await store.setNickTemplate(guild.id, null);
    deps.log.info({ guildId: guild.id }, 'setup nicknames off');
    return 'Nicknames are off: the bot no longer renames linked members (nicknames it gave stay until members change them).';
  }
  const t = (template ?? '').trim();
  const problem = nickTemplateProblem(t);
  if (problem) return `Not set: ${problem}. Nothing was changed.`;
  await store.setNickTemplate(guild.id, t);
  deps.log.info({ guildId: guild.id, template: t }, 'setup nicknames');
  const me = await guild.members.fetchMe();
  return [
    `Linked members are renamed like \`${renderNickname(t, 'PlayerName', 7)}\` (FACEIT nickname shortened to fit Discord's 32 characters).`,
    "Discord never lets a bot rename the server owner or members whose highest role is at or above the bot's: they are skipped.",
    ...(me.permissions.has(PermissionFlagsBits.ManageNicknames)
      ? []
      : ["⚠️ The bot lacks Manage Nicknames: grant it to the bot's role, or nobody is renamed."]),
  ].join('\n');
};
