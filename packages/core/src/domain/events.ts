/** What a created-type match event means given what the bridge remembers (match_states). */
export type EventDecision = 'converge' | 'finish' | 'ignore-ended';

export const FACEIT_ENDED_STATUSES = ['FINISHED', 'CANCELLED', 'ABORTED'] as const;

export function faceitReportsEnded(status: string | undefined): boolean {
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
  faceitStatus?: string | undefined;
}): EventDecision {
  if (input.stored === 'ended') return 'ignore-ended';
  if (faceitReportsEnded(input.faceitStatus)) return 'finish';
  return 'converge';
}

/** Whether the sweep should end an active match: FACEIT says it ended, or it is older than the limit. */
export function sweepVerdict(input: {
  createdAt: Date;
  now: Date;
  maxAgeHours: number;
  faceitStatus?: string | undefined;
  faceitMissing?: boolean;
}): 'keep' | 'ended' | 'too-old' | 'unknown-match' {
  if (input.now.getTime() - input.createdAt.getTime() > input.maxAgeHours * 3_600_000) return 'too-old';
  if (input.faceitMissing) return 'unknown-match';
  if (faceitReportsEnded(input.faceitStatus)) return 'ended';
  return 'keep';
}
