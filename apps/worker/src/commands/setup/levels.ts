import { FACEIT_LEVELS, isFaceitLevel, levelRoleName } from '@bridge/core';
import { type Guild, type GuildMember, PermissionFlagsBits, type Role } from 'discord.js';
import type { SetupHandler } from '../setup.ts';

const NOTHING = 'Nothing was changed.';
const REASON = 'FACEIT level roles (/setup levels)';

/** Why the bot cannot give this role, or null when it can. */
function roleProblem(guild: Guild, me: GuildMember, role: Role | null, id: string): string | null {
  if (!role) return `the bot cannot see role ${id} in this server: pick one of this server's roles`;
  if (role.id === guild.id) return '@everyone cannot be a level role: pick a role';
  if (role.managed) return `<@&${role.id}> belongs to an integration or bot: Discord lets nobody give it`;
  if (me.roles.highest.comparePositionTo(role) <= 0) {
    return `<@&${role.id}> is at or above the bot's highest role (<@&${me.roles.highest.id}>), so Discord will not let the bot give it: move the bot's role above it in Server Settings → Roles, or pick a lower role`;
  }
  return null;
}

/**
 * The ten roles "FACEIT Level 1" … "10", created below the bot's top role (Discord puts a new role at
 * the bottom), Level 10 highest. Roles of those names the bot can give are reused, so a run that
 * stopped half-way can be repeated.
 */
async function createLevelRoles(guild: Guild, me: GuildMember): Promise<string[]> {
  const roles = await guild.roles.fetch();
  const ids: string[] = [];
  for (let level = FACEIT_LEVELS; level >= 1; level--) {
    const name = levelRoleName(level);
    const existing = roles.find((r) => r.name === name && !roleProblem(guild, me, r, r.id));
    const role = existing ?? (await guild.roles.create({ name, permissions: [], reason: REASON }));
    ids[level - 1] = role.id;
  }
  return ids;
}

/** /setup levels create:true | level:<1-10> role:<role> | off:true — FACEIT levels as roles. */
export const setupLevels: SetupHandler = async (interaction, guild, deps) => {
  const create = interaction.options.getBoolean('create') ?? false;
  const off = interaction.options.getBoolean('off') ?? false;
  const level = interaction.options.getInteger('level');
  const roleOpt = interaction.options.getRole('role');
  const store = deps.levels;
  const chosen = [create, off, level !== null || roleOpt !== null].filter(Boolean).length;
  if (chosen !== 1) {
    return `Use one of: create:true (ten new roles), level:<1-10> role:<role> (map one level), off:true. ${NOTHING}`;
  }
  if (off) {
    await store.setLevelRoles(guild.id, null);
    deps.log.info({ guildId: guild.id }, 'setup levels off');
    return 'Level roles are off. The roles stay in the server and members keep the ones they have; delete them in Server Settings → Roles if you no longer want them.';
  }
  const me = await guild.members.fetchMe({ force: true });
  if (!me.permissions.has(PermissionFlagsBits.ManageRoles)) {
    return `The bot needs the Manage Roles permission to give level roles: grant it to the bot's role. ${NOTHING}`;
  }
  if (create) {
    let ids: string[];
    try {
      ids = await createLevelRoles(guild, me);
    } catch (err) {
      deps.log.warn(
        { guildId: guild.id, err: (err as Error).message },
        'setup levels: creating roles failed',
      );
      return `Discord refused to create the roles (${(err as Error).message}). Level roles were not turned on; run the command again to finish (roles already created are reused).`;
    }
    await store.setLevelRoles(guild.id, ids);
    deps.log.info({ guildId: guild.id }, 'setup levels created');
    return [
      'Level roles are on:',
      ...ids.map((id, i) => `level ${i + 1}: <@&${id}>`),
      'Linked members get theirs when they link and after each finished match.',
    ].join('\n');
  }
  if (level === null || roleOpt === null) return `Give both level:<1-10> and role:<role>. ${NOTHING}`;
  if (!isFaceitLevel(level)) return `level must be 1 to ${FACEIT_LEVELS}. ${NOTHING}`;
  const role = await guild.roles.fetch(roleOpt.id).catch(() => null);
  const problem = roleProblem(guild, me, role, roleOpt.id);
  if (problem) return `${problem}.\n${NOTHING}`;
  const current = (await store.get(guild.id)).levelRoleIds ?? Array<string | null>(FACEIT_LEVELS).fill(null);
  const other = current.findIndex((id, i) => id === roleOpt.id && i !== level - 1);
  if (other >= 0) {
    return `<@&${roleOpt.id}> is already the role of level ${other + 1}: one role per level. ${NOTHING}`;
  }
  const ids = current.map((id, i) => (i === level - 1 ? roleOpt.id : id));
  await store.setLevelRoles(guild.id, ids);
  deps.log.info({ guildId: guild.id, level, roleId: roleOpt.id }, 'setup levels mapped');
  return `Level ${level} members get <@&${roleOpt.id}>. Level roles are on (${ids.filter(Boolean).length} of ${FACEIT_LEVELS} levels have a role).`;
};
