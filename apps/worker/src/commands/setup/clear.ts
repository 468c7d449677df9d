import type { SetupHandler } from './types.ts';

/** What `/setup clear setting:` can clear, and what the server has without it. */
export const CLEARABLE = {
  category: 'Match channels are created at the top of the server (no category).',
  lobby:
    'No lobby: when a match ends its players are disconnected as the channels go (set one with /setup channels lobby:).',
  staff: 'No staff role: only the players are let into match channels.',
  spectator: 'No spectator role.',
  user_limit: 'New match channels have no user limit.',
  cards: 'Match cards are off. Cards already posted stay as they are.',
  levels: 'Level roles are off. The roles stay in the server and members keep the ones they have.',
  nicknames: 'Nicknames are off (nicknames the bot gave stay until members change them).',
} as const;
export type Clearable = keyof typeof CLEARABLE;

/** /setup clear setting: — one setting back to unset; every other setting stays as it is. */
export const setupClear: SetupHandler = async (interaction, guild, deps) => {
  const setting = interaction.options.getString('setting', true);
  if (!(setting in CLEARABLE)) {
    return `Unknown setting "${setting}": one of ${Object.keys(CLEARABLE).join(', ')}. Nothing was changed.`;
  }
  const which = setting as Clearable;
  if (which === 'cards') await deps.cards.setChannel(guild.id, null);
  else if (which === 'levels') await deps.levels.setLevelRoles(guild.id, null);
  else if (which === 'nicknames') await deps.levels.setNickTemplate(guild.id, null);
  else {
    const column = {
      category: 'category_id',
      lobby: 'lobby_channel_id',
      staff: 'staff_role_id',
      spectator: 'spectator_role_id',
      user_limit: 'user_limit',
    } as const;
    await deps.guilds.update(guild.id, { [column[which]]: which === 'user_limit' ? 0 : null });
  }
  deps.log.info({ guildId: guild.id, setting: which }, 'setup clear');
  return CLEARABLE[which];
};
