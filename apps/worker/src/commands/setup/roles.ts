import { openRoleProblem } from '@bridge/core';
import type { SetupHandler } from './types.ts';

/**
 * /setup roles staff: spectator: — roles must be this guild's, held only by whom the server's role
 * managers decide (not @everyone, not a managed, linked or purchasable role: channel access for one of
 * those goes to whoever boosts, subscribes, connects an account or pays), and not the same one. The
 * bot never gives these roles; it writes one overwrite per match channel for each, allowing only what
 * joining (and, for staff, speaking) needs (MATCH_ROLE_ALLOW_MAX, table-tested with the channel plan).
 * So no hierarchy test as for level roles: choosing them grants entry to match channels, which is
 * exactly what Manage Server decides in this bridge.
 */
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
    const role = await guild.roles.fetch(id).catch(() => null);
    if (!role) {
      problems.push(
        `${label}: the bot cannot see role ${id} in this server: pick one of this server's roles`,
      );
      return;
    }
    const open = openRoleProblem({
      id: role.id,
      guildId: guild.id,
      managed: role.managed,
      linkedRole: role.tags?.guildConnections === true,
      purchasable: role.tags?.availableForPurchase === true,
    });
    if (open) {
      problems.push(
        `${label}: <@&${role.id}> cannot be the ${label} role: ${open}, so match channels would be open to whoever gets it. Pick a role the server's admins hand out`,
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
