/** FACEIT levels as Discord roles and nicknames: pure decisions, no I/O. */

/** FACEIT skill levels run 1..10. */
export const FACEIT_LEVELS = 10;
/** Discord's nickname limit (Modify Guild Member `nick`). */
export const NICK_MAX = 32;

export function isFaceitLevel(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= FACEIT_LEVELS;
}

/** The names `/setup levels create:true` gives the ten roles. */
export function levelRoleName(level: number): string {
  return `FACEIT Level ${level}`;
}

/**
 * The role changes that leave the member with exactly their level's role among the mapped ones
 * (`mapping[level - 1]`, null = that level has no role); `level` null takes every mapped role away.
 * Nothing to do when both lists are empty (the member is already right: no request).
 */
export function levelRoleChanges(
  memberRoleIds: readonly string[],
  mapping: readonly (string | null)[],
  level: number | null,
): { add: string[]; remove: string[] } {
  const want = level === null ? null : (mapping[level - 1] ?? null);
  const has = new Set(memberRoleIds);
  const mapped = new Set(mapping.filter((r): r is string => r !== null));
  return {
    add: want && !has.has(want) ? [want] : [],
    remove: [...mapped].filter((r) => r !== want && has.has(r)),
  };
}

/** Why a nickname template cannot be used, or null when it can. */
export function nickTemplateProblem(template: string): string | null {
  if (!template.includes('{nickname}') && !template.includes('{level}')) {
    return 'the template must contain {nickname} or {level}';
  }
  // The longest fixed part: every placeholder but the nickname at its widest (level 10).
  const fixed = template.replaceAll('{nickname}', '').replaceAll('{level}', '10');
  const room = template.includes('{nickname}') ? 1 : 0;
  if (fixed.length + room > NICK_MAX) {
    return `the template leaves no room within Discord's ${NICK_MAX}-character nickname limit (${fixed.length} characters without the FACEIT nickname)`;
  }
  return null;
}

/**
 * The nickname a template gives: {level} and {nickname} filled in; when it would pass Discord's
 * 32 characters the FACEIT nickname is shortened (ending in '…'), never the fixed text or the level.
 */
export function renderNickname(template: string, faceitNickname: string, level: number): string {
  const fixed = template.replaceAll('{level}', String(level));
  const count = fixed.split('{nickname}').length - 1;
  const render = (nick: string) => fixed.replaceAll('{nickname}', nick);
  if (count === 0 || render(faceitNickname).length <= NICK_MAX) return render(faceitNickname);
  const room = Math.floor((NICK_MAX - (fixed.length - count * '{nickname}'.length)) / count);
  const cut =
    room <= 1 ? faceitNickname.slice(0, Math.max(room, 0)) : `${faceitNickname.slice(0, room - 1)}…`;
  return render(cut);
}

/**
 * True when `nick` is what the template gave this FACEIT nickname at some level: the bridge's own
 * nickname, safe to clear on unlink (a nickname the member chose themselves is left alone).
 */
export function isTemplateNickname(nick: string | null, template: string, faceitNickname: string): boolean {
  if (nick === null) return false;
  for (let level = 1; level <= FACEIT_LEVELS; level++) {
    if (renderNickname(template, faceitNickname, level) === nick) return true;
  }
  return false;
}
