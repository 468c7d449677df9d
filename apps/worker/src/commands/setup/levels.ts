import { dangerousPermissionNames, FACEIT_LEVELS, isFaceitLevel, levelRoleName } from '@bridge/core';
import { type Guild, type GuildMember, PermissionFlagsBits, type Role } from 'discord.js';
import type { SetupHandler } from './types.ts';

const NOTHING = 'Nothing was changed.';
const REASON = 'FACEIT level roles (/setup levels)';

/** Why the bot cannot give this role, or null when it can. */
function botProblem(guild: Guild, me: GuildMember, role: Role | null, id: string): string | null {
  if (!role) return `the bot cannot see role ${id} in this server: pick one of this server's roles`;
  if (role.id === guild.id) return '@everyone cannot be a level role: pick a role';
  if (role.managed) return `<@&${role.id}> belongs to an integration or bot: Discord lets nobody give it`;
  if (me.roles.highest.comparePositionTo(role) <= 0) {
    return `<@&${role.id}> is at or above the bot's highest role (<@&${me.roles.highest.id}>), so Discord will not let the bot give it: move the bot's role above it in Server Settings → Roles, or pick a lower role`;
  }
  return null;
}

/** Why the bot must not hand this role out: it carries power over the server or its members. */
function dangerProblem(role: Role): string | null {
  const names = dangerousPermissionNames(role.permissions.bitfield);
  if (names.length === 0) return null;
  return `<@&${role.id}> carries ${names.join(', ')}: the bot would hand that to whoever links at that level. Level roles must not carry moderation or management permissions: remove them from the role in Server Settings → Roles, or pick (or create:true) a role without them`;
}

/**
 * Discord's own rule for people giving a role: the server owner may; anyone else needs Manage Roles
 * (Administrator includes it) and a highest role above it. Mapping a role makes the bot give it on the
 * caller's behalf, so the caller must be someone who could give it themselves.
 */
function callerProblem(guild: Guild, caller: GuildMember, role: Role): string | null {
  if (caller.id === guild.ownerId) return null;
  if (!caller.permissions.has(PermissionFlagsBits.ManageRoles)) {
    return `you need the Manage Roles permission to make the bot give <@&${role.id}>: the bot only gives roles its caller could give themselves. Ask someone with Manage Roles to run this`;
  }
  if (caller.roles.highest.comparePositionTo(role) <= 0) {
    return `<@&${role.id}> is at or above your highest role, so you could not give it yourself, and the bot will not give it for you: ask someone higher, or pick a lower role`;
  }
  return null;
}

/**
 * The ten roles "FACEIT Level 1" … "10", created below the bot's top role (Discord puts a new role at
 * the bottom) with no permissions, Level 10 highest. Roles of those names the bot can give are reused,
 * so a run that stopped half-way can be repeated; one that carries a dangerous permission stops the run
 * (the answer says which). The caller's own hierarchy is not asked here, unlike a mapped role: a new role
 * carries nothing, and a role only gets one of these names from someone holding Manage Roles (renaming a
 * role needs it) or from an earlier run of this command.
 */
async function createLevelRoles(
  guild: Guild,
  me: GuildMember,
): Promise<{ ids: string[] } | { problem: string }> {
  const roles = await guild.roles.fetch();
  const named = (level: number) =>
    [...roles.values()].filter((r) => r.name === levelRoleName(level) && !botProblem(guild, me, r, r.id));
  const unsafe = Array.from({ length: FACEIT_LEVELS }, (_, i) => named(i + 1))
    .flat()
    .map(dangerProblem)
    .filter((p): p is string => p !== null);
  if (unsafe.length > 0) return { problem: unsafe.join('\n') };
  const ids: string[] = [];
  for (let level = FACEIT_LEVELS; level >= 1; level--) {
    const existing = named(level)[0];
    const role =
      existing ?? (await guild.roles.create({ name: levelRoleName(level), permissions: [], reason: REASON }));
    ids[level - 1] = role.id;
  }
  return { ids };
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
    let created: Awaited<ReturnType<typeof createLevelRoles>>;
    try {
      created = await createLevelRoles(guild, me);
    } catch (err) {
      deps.log.warn(
        { guildId: guild.id, err: (err as Error).message },
        'setup levels: creating roles failed',
      );
      return `Discord refused to create the roles (${(err as Error).message}). Level roles were not turned on; run the command again to finish (roles already created are reused).`;
    }
    if ('problem' in created) {
      deps.log.warn(
        { guildId: guild.id },
        'setup levels refused: a role of that name carries dangerous permissions',
      );
      return `${created.problem}.\n${NOTHING}`;
    }
    const { ids } = created;
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
  const caller = await guild.members.fetch({ user: interaction.user.id, force: true });
  const problem =
    botProblem(guild, me, role, roleOpt.id) ??
    (role && (dangerProblem(role) ?? callerProblem(guild, caller, role)));
  if (problem) {
    deps.log.warn({ guildId: guild.id, level, roleId: roleOpt.id, problem }, 'setup levels refused');
    return `${problem}.\n${NOTHING}`;
  }
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
