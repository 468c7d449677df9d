/** Per-user limits on slash commands: the table and the answers, no I/O. */

/** At most `max` uses within any `windowMs` (a sliding window). */
export interface LimitWindow {
  windowMs: number;
  max: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * The limited commands, per user (all servers together). Each use of these costs FACEIT's shared rate
 * limit (a nickname lookup, a level read after a link) or Redis state (a /link start lives 10 minutes),
 * and a person never needs them often: a mistyped nickname is retried after a few seconds, a link is made
 * once. The other commands read or write only the server's own settings and are not limited.
 */
export const COMMAND_LIMITS: Readonly<Record<string, readonly LimitWindow[]>> = {
  // A mistyped nickname can be tried again at once; a spammer gets three lookups, then waits.
  register: [
    { windowMs: MINUTE, max: 3 },
    { windowMs: HOUR, max: 10 },
  ],
  // Both subcommands: an admin fixing links one member at a time stays well inside.
  admin: [
    { windowMs: MINUTE, max: 5 },
    { windowMs: HOUR, max: 60 },
  ],
  link: [{ windowMs: 10 * MINUTE, max: 5 }],
};

/** "8 s", "2 min", "1 h": how long until the command may be used again, rounded up. */
export function waitText(ms: number): string {
  if (ms < MINUTE) return `${Math.max(1, Math.ceil(ms / SECOND))} s`;
  if (ms < HOUR) return `${Math.ceil(ms / MINUTE)} min`;
  return `${Math.ceil(ms / HOUR)} h`;
}

function windowText({ windowMs, max }: LimitWindow): string {
  const times = max === 1 ? 'once' : `${max} times`;
  if (windowMs === MINUTE) return `${times} a minute`;
  if (windowMs === HOUR) return `${times} an hour`;
  return `${times} every ${waitText(windowMs)}`;
}

/** The ephemeral answer to a use over the limit: when to try again, and what the limit is. */
export function limitAnswer(command: string, retryMs: number, windows: readonly LimitWindow[]): string {
  return `Slow down: you can use /${command} again in ${waitText(retryMs)} (at most ${windows.map(windowText).join(' and ')}). Nothing was changed.`;
}

/** The answer when FACEIT's rate limit is taken by matches (the interactive lane's budget ran out). */
export const FACEIT_BUSY_ANSWER =
  'FACEIT is busy right now (matches come first): try again in a minute. Nothing was changed.';
