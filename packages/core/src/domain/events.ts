export const FACEIT_ENDED_STATUSES = ['FINISHED', 'CANCELLED', 'ABORTED'] as const;

export function faceitReportsEnded(status: string | null | undefined): boolean {
  return (FACEIT_ENDED_STATUSES as readonly string[]).includes((status ?? '').toUpperCase());
}

/**
 * Where FACEIT says the match is: `scheduled` (a championship match created days ahead: no teams in the
 * room yet), `ended`, or `live` (everything else, unknown statuses included: a match FACEIT runs).
 */
export type FaceitPhase = 'scheduled' | 'live' | 'ended';

export function faceitPhase(status: string | null | undefined): FaceitPhase {
  const s = (status ?? '').toUpperCase();
  if (s === 'SCHEDULED') return 'scheduled';
  return faceitReportsEnded(s) ? 'ended' : 'live';
}

/** What FACEIT's Data API said about the match: its status, or nothing (5xx, timeout, unreachable, 404). */
export type FaceitView = { status: string | null | undefined } | 'unreadable';

/** An event's place in the match's history: FACEIT's per-match `payload.version`, and the event's time. */
export interface EventStamp {
  version: number | null;
  at: Date;
}

/**
 * Whether `event` happened after `mark`. FACEIT's `payload.version` grows with every change of the match
 * (the captures: created 1 … finished 12, restart configuring 13), so it decides when both have one (equal:
 * not after). Otherwise the events' times do (FACEIT's clock, whole seconds), and the same second counts as
 * after: a re-open also needs FACEIT to report the match running, which a late event from the very second
 * of the end cannot make true, while FACEIT's restart may well share that second with the end it saw.
 */
export function happenedAfter(event: EventStamp, mark: EventStamp): boolean {
  if (event.version !== null && mark.version !== null) return event.version > mark.version;
  return event.at.getTime() >= mark.at.getTime();
}

/**
 * The place of an end the bridge saw only through FACEIT's state (a created-type event or the sweep
 * finding the match ended): FACEIT's `finished_at` (its clock, like the events'), else `fallback`. Never
 * the created event's own stamp: the match ended some time after it, and a late event from between the
 * two must not count as newer than the end.
 */
export function faceitEndStamp(
  match: { finished_at?: number | null | undefined },
  fallback: Date,
): EventStamp {
  const at = Number(match.finished_at);
  return { version: null, at: Number.isFinite(at) && at > 0 ? new Date(at * 1000) : fallback };
}

/** What the bridge remembers of a match (match_states); null: never heard of it. */
export interface StoredMatch {
  status: 'active' | 'ended';
  /** Channels were wanted (FACEIT reported it configuring/ready/live) since this cycle began. */
  live: boolean;
  /** The event that ended it (while ended). */
  ended: EventStamp | null;
  /** The event that last re-opened it after an end (a restart), if any. */
  reopened: EventStamp | null;
}

/**
 * What a created-type event (object_created / configuring / ready) does:
 * - `converge`: build or update the channels (FACEIT runs the match);
 * - `schedule`: nothing yet, FACEIT has it scheduled (a championship match created days ahead);
 * - `finish`: FACEIT already reports the end: finish it instead of building;
 * - `reopen`: FACEIT restarted a match we had ended (it runs again, and this event is newer than the end);
 * - `ignore-ended`: the match ended and stays ended (a late or redelivered event);
 * - `retry`: FACEIT could not be read and the answer matters (try again later).
 */
export type EventDecision = 'converge' | 'schedule' | 'finish' | 'reopen' | 'ignore-ended' | 'retry';

/**
 * Decided from FACEIT's current state and the event's place in the match's history, never from the event
 * name alone: FACEIT sends `match_status_configuring` again when it restarts a finished or forfeited match
 * (real captures: configuring 5 minutes after a forfeit finish), while a late redelivery of an event from
 * before the end must not bring the channels back.
 */
export function decideEvent(input: {
  stored: StoredMatch | null;
  faceit: FaceitView;
  event: EventStamp;
}): EventDecision {
  const { stored, faceit, event } = input;
  if (stored?.status === 'ended') {
    const newer = stored.ended === null || happenedAfter(event, stored.ended);
    if (!newer) return 'ignore-ended';
    // Only FACEIT can say the match runs again: without it, ask later rather than guess.
    if (faceit === 'unreadable') return 'retry';
    return faceitPhase(faceit.status) === 'live' ? 'reopen' : 'ignore-ended';
  }
  if (faceit === 'unreadable') return 'retry';
  const phase = faceitPhase(faceit.status);
  if (phase === 'ended') return 'finish';
  return phase === 'scheduled' ? 'schedule' : 'converge';
}

/**
 * What a finished-type event (finished / cancelled / aborted) does:
 * - `end`: FACEIT agrees the match is over, or cannot be asked (an outage never blocks a real finish);
 * - `unconfirmed`: FACEIT reports the match as running (or scheduled): not acted on, the sweep re-checks it;
 * - `stale`: FACEIT cannot be asked and the event is older than the match's last restart.
 */
export type FinishDecision = 'end' | 'unconfirmed' | 'stale';

export function decideFinish(input: {
  stored: StoredMatch | null;
  faceit: FaceitView;
  event: EventStamp;
}): FinishDecision {
  const { stored, faceit, event } = input;
  if (faceit !== 'unreadable') return faceitPhase(faceit.status) === 'ended' ? 'end' : 'unconfirmed';
  const restarted = stored?.status === 'active' ? stored.reopened : null;
  return restarted && !happenedAfter(event, restarted) ? 'stale' : 'end';
}

/** How long the sweep must have seen a match 404 (on consecutive sweeps) before it ends it as unknown. */
export const SWEEP_MISSING_MS = 30 * 60_000;

/**
 * How long a match may stay scheduled without ever going live before the sweep forgets it (ends it
 * without asking FACEIT: it has no channels). Championship matches are created 6–9 days ahead in the
 * captures; a later configuring re-opens a match forgotten too early.
 */
export const SCHEDULED_MAX_DAYS = 30;

/**
 * Whether the sweep should end an active match. A live match: FACEIT says it ended, it has been live
 * longer than the limit, or FACEIT has answered 404 on consecutive sweeps spanning at least
 * SWEEP_MISSING_MS (a single 404 never ends a match: new matches have been reported to 404 for a while,
 * and ending deletes live channels). A match that never went live (scheduled) has no channels: FACEIT is
 * not asked, and it is forgotten after SCHEDULED_MAX_DAYS.
 */
export function sweepVerdict(input: {
  createdAt: Date;
  /** When it went live (channels wanted); null: never (scheduled). */
  liveSince: Date | null;
  now: Date;
  maxAgeHours: number;
  faceitStatus?: string | null | undefined;
  /** Set when FACEIT answered 404 this sweep: the streak of consecutive 404 sweeps, this one included. */
  missing?: { sweeps: number; forMs: number } | undefined;
}): 'keep' | 'ended' | 'too-old' | 'unknown-match' | 'never-live' {
  const now = input.now.getTime();
  if (input.liveSince === null) {
    return now - input.createdAt.getTime() > SCHEDULED_MAX_DAYS * 86_400_000 ? 'never-live' : 'keep';
  }
  if (now - input.liveSince.getTime() > input.maxAgeHours * 3_600_000) return 'too-old';
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
