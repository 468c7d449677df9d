import type { SetupHandler } from '../setup.ts';

/** /setup roles staff: spectator: — roles must be this guild's, not @everyone, and not the same one. */
export const setupRoles: SetupHandler = async (interaction, guild, deps) => {
  const staffOpt = interaction.options.getRole('staff');
  const spectatorOpt = interaction.options.getRole('spectator');
  if (!staffOpt && !spectatorOpt) return 'Give a staff role, a spectator role, or both. Nothing was changed.';
  const problems: string[] = [];
  const check = async (label: string, id: string | undefined) => {
    if (!id) return;
    // @everyone's role id is the guild id: it would open every match channel to everyone.
    if (id === guild.id) {
      problems.push(`${label}: @everyone would open match channels to everyone: pick a role`);
      return;
    }
    if (!(await guild.roles.fetch(id).catch(() => null))) {
      problems.push(
        `${label}: the bot cannot see role ${id} in this server: pick one of this server's roles`,
      );
    }
  };
  await check('staff', staffOpt?.id);
  await check('spectator', spectatorOpt?.id);
  if (staffOpt && spectatorOpt && staffOpt.id === spectatorOpt.id) {
    problems.push(
      'staff and spectator are the same role: staff may speak, spectators may not; pick two roles',
    );
  }
  if (problems.length > 0) return `${problems.join('\n')}\nNothing was changed.`;
  await deps.guilds.update(guild.id, {
    ...(staffOpt ? { staff_role_id: staffOpt.id } : {}),
    ...(spectatorOpt ? { spectator_role_id: spectatorOpt.id } : {}),
  });
  deps.log.info({ guildId: guild.id, staff: staffOpt?.id, spectator: spectatorOpt?.id }, 'setup roles');
  return [
    ...(staffOpt ? [`<@&${staffOpt.id}> may join and speak in every match channel.`] : []),
    ...(spectatorOpt
      ? [`<@&${spectatorOpt.id}> may join and listen in every match channel, not speak.`]
      : []),
    'It applies to match channels created or updated from now on.',
  ].join('\n');
};
