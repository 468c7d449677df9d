import { ChannelType } from 'discord.js';
import type { SetupHandler } from './types.ts';

/** /setup channels category: lobby: — each checked against the guild before anything is stored. */
export const setupChannels: SetupHandler = async (interaction, guild, deps) => {
  const categoryOpt = interaction.options.getChannel('category');
  const lobbyOpt = interaction.options.getChannel('lobby');
  const userLimit = interaction.options.getInteger('user_limit');
  if (!categoryOpt && !lobbyOpt && userLimit === null) {
    return 'Give a category, a lobby or a user limit. Nothing was changed.';
  }
  // Read from the guild itself, not the option's snapshot: it must exist here and be of the right type.
  const category = categoryOpt ? await guild.channels.fetch(categoryOpt.id).catch(() => null) : undefined;
  const lobby = lobbyOpt ? await guild.channels.fetch(lobbyOpt.id).catch(() => null) : undefined;
  const problems: string[] = [];
  if (categoryOpt && category?.type !== ChannelType.GuildCategory) {
    problems.push(`<#${categoryOpt.id}> is not a category of this server: pick a category`);
  }
  if (lobbyOpt && lobby?.type !== ChannelType.GuildVoice) {
    problems.push(`<#${lobbyOpt.id}> is not a voice channel of this server: pick a voice channel`);
  }
  // Discord's client enforces the option's bounds; the API does not promise it for every caller.
  if (userLimit !== null && (userLimit < 0 || userLimit > 99)) {
    problems.push(`user_limit ${userLimit} is out of range: 0 (no limit) to 99`);
  }
  if (problems.length > 0) return `${problems.join('\n')}\nNothing was changed.`;
  await deps.guilds.update(guild.id, {
    ...(category ? { category_id: category.id } : {}),
    ...(lobby ? { lobby_channel_id: lobby.id } : {}),
    ...(userLimit !== null ? { user_limit: userLimit } : {}),
  });
  deps.log.info({ guildId: guild.id, category: category?.id, lobby: lobby?.id }, 'setup channels');
  return [
    ...(category ? [`Match channels go in <#${category.id}>.`] : []),
    ...(lobby ? [`Players go back to <#${lobby.id}> when a match ends.`] : []),
    ...(userLimit !== null
      ? [
          userLimit === 0
            ? 'New match channels have no user limit.'
            : `New match channels hold at most ${userLimit} members.`,
        ]
      : []),
    'Run /setup show to check the bot’s permissions there.',
  ].join('\n');
};
