import {
  dangerousPermissionNames,
  isTemplateNickname,
  type LevelSettings,
  type Logger,
  levelRoleChanges,
  renderNickname,
} from '@bridge/core';
import { type Guild, type GuildMember, PermissionFlagsBits, type Role } from 'discord.js';
import { discordCode } from '../discord/errors.ts';

/** Who the member is on FACEIT now; `linked: false` = they unlinked (their level roles go). */
export interface LevelTarget {
  faceitNickname: string;
  /** null = unknown (FACEIT not reachable, or no CS2 level): roles are left as they are. */
  level: number | null;
  linked: boolean;
}

export type SyncOutcome = 'updated' | 'unchanged' | 'skipped' | 'absent';

/** Told about a level role the bot will not touch because it carries dangerous permissions. */
export type UnsafeRoleReport = (role: Role, permissions: string[]) => void;

const REASON = 'FACEIT level (bridge)';

/** The nickname the member should have, or undefined to leave it alone. */
function wantedNick(member: GuildMember, template: string, t: LevelTarget): string | null | undefined {
  if (!t.linked) return isTemplateNickname(member.nickname, template, t.faceitNickname) ? null : undefined;
  if (t.level === null && template.includes('{level}')) return undefined;
  return renderNickname(template, t.faceitNickname, t.level ?? 0);
}

/**
 * Brings one member of one guild to their level's role and nickname. Requests go out only for what
 * differs (the member already right costs no write). What Discord will not let the bot do (the owner,
 * members or roles at or above the bot's highest role, a missing permission) is checked first and
 * skipped, and everything skipped or refused is said in ONE log line for the member: no retry, no
 * error per request. A level role that carries a dangerous permission (it was edited after /setup
 * mapped it) is neither given nor taken away, checked right before each write: `unsafe` hears of it,
 * so the caller can say it once per role rather than once per member.
 */
export async function syncGuildMember(
  guild: Guild,
  me: GuildMember,
  settings: LevelSettings,
  userId: string,
  target: LevelTarget,
  log: Logger,
  unsafe: UnsafeRoleReport = () => {},
): Promise<SyncOutcome> {
  const member = await guild.members.fetch({ user: userId, force: true }).catch((err: unknown) => {
    if (discordCode(err) === 10007) return null;
    throw err;
  });
  if (!member) return 'absent';
  const skipped: string[] = [];
  let wrote = false;
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      wrote = true;
    } catch (err) {
      skipped.push(`${what}: Discord refused (${discordCode(err) ?? (err as Error).message})`);
    }
  };

  if (settings.levelRoleIds && (target.level !== null || !target.linked)) {
    const { add, remove } = levelRoleChanges(
      [...member.roles.cache.keys()],
      settings.levelRoleIds,
      target.linked ? target.level : null,
    );
    if (add.length + remove.length > 0 && !me.permissions.has(PermissionFlagsBits.ManageRoles)) {
      skipped.push('roles: the bot lacks Manage Roles');
    } else {
      for (const [roleId, adding] of [
        ...remove.map((r) => [r, false] as const),
        ...add.map((r) => [r, true] as const),
      ]) {
        const role = guild.roles.cache.get(roleId);
        const danger = role ? dangerousPermissionNames(role.permissions.bitfield) : [];
        if (!role) skipped.push(`role ${roleId}: deleted from the server (run /setup levels again)`);
        else if (danger.length > 0) unsafe(role, danger);
        else if (me.roles.highest.comparePositionTo(role) <= 0) {
          skipped.push(`role ${role.name}: at or above the bot's highest role`);
        } else {
          await attempt(`role ${role.name}`, () =>
            adding ? member.roles.add(role, REASON) : member.roles.remove(role, REASON),
          );
        }
      }
    }
  }

  const template = settings.nickTemplate;
  const nick = template ? wantedNick(member, template, target) : undefined;
  if (nick !== undefined && nick !== member.nickname) {
    if (member.id === guild.ownerId) skipped.push('nickname: the server owner cannot be renamed by a bot');
    else if (!me.permissions.has(PermissionFlagsBits.ManageNicknames)) {
      skipped.push('nickname: the bot lacks Manage Nicknames');
    } else if (me.roles.highest.comparePositionTo(member.roles.highest) <= 0) {
      skipped.push("nickname: the member's highest role is at or above the bot's");
    } else {
      await attempt('nickname', () => member.setNickname(nick, REASON));
    }
  }

  if (skipped.length > 0) {
    log.warn({ guildId: guild.id, userId, skipped }, 'level role / nickname: member skipped');
    return 'skipped';
  }
  return wrote ? 'updated' : 'unchanged';
}
