/** What a created-type match event means given what the bridge remembers (match_states). */
export type EventDecision = 'converge' | 'finish' | 'ignore-ended';

export const FACEIT_ENDED_STATUSES = ['FINISHED', 'CANCELLED', 'ABORTED'] as const;

export function faceitReportsEnded(status: string | null | undefined): boolean {
  return (FACEIT_ENDED_STATUSES as readonly string[]).includes((status ?? '').toUpperCase());
}

/**
 * A created-type event (object_created/configuring/ready) for a match that has ended is late and builds
 * nothing; one that finds FACEIT already reporting the end finishes the match instead of building
 * channels. (A finished-type event has nothing to decide: it always runs the idempotent cleanup.)
 * `faceitStatus` is undefined when FACEIT could not be read.
 */
export function decideEvent(input: {
  stored: 'active' | 'ended';
  faceitStatus?: string | null | undefined;
}): EventDecision {
  if (input.stored === 'ended') return 'ignore-ended';
  if (faceitReportsEnded(input.faceitStatus)) return 'finish';
  return 'converge';
}

/** How long the sweep must have seen a match 404 (on consecutive sweeps) before it ends it as unknown. */
export const SWEEP_MISSING_MS = 30 * 60_000;

/**
 * Whether the sweep should end an active match: FACEIT says it ended, it is older than the limit, or
 * FACEIT has answered 404 on consecutive sweeps spanning at least SWEEP_MISSING_MS. A single 404 never
 * ends a match: new matches have been reported to 404 for a while, and ending deletes live channels.
 */
export function sweepVerdict(input: {
  createdAt: Date;
  now: Date;
  maxAgeHours: number;
  faceitStatus?: string | null | undefined;
  /** Set when FACEIT answered 404 this sweep: the streak of consecutive 404 sweeps, this one included. */
  missing?: { sweeps: number; forMs: number } | undefined;
}): 'keep' | 'ended' | 'too-old' | 'unknown-match' {
  if (input.now.getTime() - input.createdAt.getTime() > input.maxAgeHours * 3_600_000) return 'too-old';
  if (input.missing) {
    const { sweeps, forMs } = input.missing;
    return sweeps >= 2 && forMs >= SWEEP_MISSING_MS ? 'unknown-match' : 'keep';
  }
  if (faceitReportsEnded(input.faceitStatus)) return 'ended';
  return 'keep';
}

/** How long matchCreated keeps retrying a match FACEIT answers 404 for before calling it unknown. */
export const CREATED_NOT_FOUND_WINDOW_MS = 10 * 60_000;

/**
 * matchCreated got a 404: retry (with the job's backoff) while the event is younger than the window
 * and attempts remain; then give up and call the match unknown. The event's age counts from the
 * earlier of FACEIT's timestamp and our receipt, so a skewed FACEIT clock cannot stretch the window,
 * and an old redelivery gives up at once.
 */
export function notFoundDecision(input: {
  occurredAt: Date;
  receivedAt: Date;
  now: Date;
  attemptsLeft: number;
  windowMs?: number;
}): 'retry' | 'unknown' {
  if (input.attemptsLeft <= 0) return 'unknown';
  const times = [input.occurredAt.getTime(), input.receivedAt.getTime()].filter(Number.isFinite);
  const age = input.now.getTime() - (times.length > 0 ? Math.min(...times) : input.now.getTime());
  return age < (input.windowMs ?? CREATED_NOT_FOUND_WINDOW_MS) ? 'retry' : 'unknown';
}
