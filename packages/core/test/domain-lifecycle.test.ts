import { describe, expect, it } from 'vitest';
import {
  decideEvent,
  decideFinish,
  type EventStamp,
  type FaceitView,
  faceitEndStamp,
  faceitPhase,
  happenedAfter,
  type StoredMatch,
} from '../src/index.ts';

// The end and the restart as in the real captures: a forfeit finish at version 12, FACEIT restarting the
// room 5 minutes later (configuring, version 13); a redelivery of the ready from before the end (version 10).
const T = (hhmmss: string) => new Date(`2026-01-29T${hhmmss}Z`);
const END: EventStamp = { version: 12, at: T('18:10:00') };
const BEFORE_END: EventStamp = { version: 10, at: T('18:05:00') };
const AFTER_END: EventStamp = { version: 13, at: T('18:15:27') };
const REOPENED: EventStamp = AFTER_END;

const STORED: Record<string, StoredMatch | null> = {
  'never heard of': null,
  'active, scheduled': { status: 'active', live: false, ended: null, reopened: null },
  'active, live': { status: 'active', live: true, ended: null, reopened: null },
  'active, restarted': { status: 'active', live: true, ended: null, reopened: REOPENED },
  ended: { status: 'ended', live: true, ended: END, reopened: null },
};

const EVENTS = ['match_object_created', 'match_status_configuring', 'match_status_ready'] as const;
const STATUSES = [
  'SCHEDULED',
  'VOTING',
  'CONFIGURING',
  'READY',
  'ONGOING',
  'FINISHED',
  'CANCELLED',
  'ABORTED',
  'unreadable',
] as const;
type Status = (typeof STATUSES)[number];
const view = (s: Status): FaceitView => (s === 'unreadable' ? 'unreadable' : { status: s });

describe('decideEvent: every created-type event × stored state × FACEIT status × event time', () => {
  // A match not ended: FACEIT's status alone decides (the event's time does not matter).
  const notEnded: Record<Status, string> = {
    SCHEDULED: 'schedule',
    VOTING: 'converge',
    CONFIGURING: 'converge',
    READY: 'converge',
    ONGOING: 'converge',
    FINISHED: 'finish',
    CANCELLED: 'finish',
    ABORTED: 'finish',
    unreadable: 'retry',
  };
  // An ended match, event newer than the end: only a FACEIT that runs the match again re-opens it.
  const endedNewer: Record<Status, string> = {
    SCHEDULED: 'ignore-ended',
    VOTING: 'reopen',
    CONFIGURING: 'reopen',
    READY: 'reopen',
    ONGOING: 'reopen',
    FINISHED: 'ignore-ended',
    CANCELLED: 'ignore-ended',
    ABORTED: 'ignore-ended',
    unreadable: 'retry',
  };
  const rows: [string, string, Status, string, string][] = [];
  for (const event of EVENTS) {
    for (const stored of Object.keys(STORED)) {
      for (const status of STATUSES) {
        for (const time of ['before the end', 'after the end']) {
          const expected =
            stored !== 'ended'
              ? notEnded[status]
              : time === 'before the end'
                ? // A late redelivery never re-opens, whatever FACEIT says now.
                  'ignore-ended'
                : endedNewer[status];
          rows.push([event, stored, status, time, expected]);
        }
      }
    }
  }
  it.each(rows)('%s, stored %s, FACEIT %s, event %s → %s', (_event, stored, status, time, expected) => {
    const event = time === 'before the end' ? BEFORE_END : AFTER_END;
    expect(decideEvent({ stored: STORED[stored] ?? null, faceit: view(status), event })).toBe(expected);
  });

  it('an end recorded without a version (the sweep, an older worker) is compared by time', () => {
    const stored: StoredMatch = {
      status: 'ended',
      live: true,
      ended: { version: null, at: T('18:10:00') },
      reopened: null,
    };
    const live = { status: 'CONFIGURING' };
    expect(decideEvent({ stored, faceit: live, event: { version: 13, at: T('18:15:27') } })).toBe('reopen');
    expect(decideEvent({ stored, faceit: live, event: { version: 10, at: T('18:05:00') } })).toBe(
      'ignore-ended',
    );
  });
});

describe('decideFinish: a finish is acted on only when FACEIT agrees, or cannot be asked', () => {
  const byStatus: Record<Status, string> = {
    SCHEDULED: 'unconfirmed',
    VOTING: 'unconfirmed',
    CONFIGURING: 'unconfirmed',
    READY: 'unconfirmed',
    ONGOING: 'unconfirmed',
    FINISHED: 'end',
    CANCELLED: 'end',
    ABORTED: 'end',
    unreadable: 'end',
  };
  const rows: [string, Status, string, string][] = [];
  for (const stored of Object.keys(STORED)) {
    for (const status of STATUSES) {
      for (const time of ['before the restart', 'after the restart']) {
        // FACEIT unreachable: a finish older than the match's restart is a stale redelivery.
        const stale =
          stored === 'active, restarted' && status === 'unreadable' && time === 'before the restart';
        rows.push([stored, status, time, stale ? 'stale' : byStatus[status]]);
      }
    }
  }
  it.each(rows)('stored %s, FACEIT %s, finish %s → %s', (stored, status, time, expected) => {
    const event = time === 'before the restart' ? END : { version: 40, at: T('19:20:00') };
    expect(decideFinish({ stored: STORED[stored] ?? null, faceit: view(status), event })).toBe(expected);
  });
});

describe('happenedAfter and faceitPhase', () => {
  it.each([
    [{ version: 13, at: T('18:00:00') }, { version: 12, at: T('18:10:00') }, true],
    [{ version: 12, at: T('18:20:00') }, { version: 12, at: T('18:10:00') }, false],
    [{ version: null, at: T('18:10:01') }, { version: 12, at: T('18:10:00') }, true],
    [{ version: 13, at: T('18:10:00') }, { version: null, at: T('18:10:00') }, true],
    [{ version: 13, at: T('18:09:59') }, { version: null, at: T('18:10:00') }, false],
  ] as const)('%j after %j → %s', (event, mark, expected) => {
    expect(happenedAfter(event, mark)).toBe(expected);
  });

  it('an end seen through FACEIT is placed at its finished_at, else the fallback', () => {
    const fallback = T('18:20:00');
    expect(faceitEndStamp({ finished_at: T('18:10:00').getTime() / 1000 }, fallback)).toEqual({
      version: null,
      at: T('18:10:00'),
    });
    expect(faceitEndStamp({}, fallback)).toEqual({ version: null, at: fallback });
    expect(faceitEndStamp({ finished_at: null }, fallback)).toEqual({ version: null, at: fallback });
    // A ready from before FACEIT's finish is not newer than that end.
    expect(
      happenedAfter(BEFORE_END, faceitEndStamp({ finished_at: T('18:10:00').getTime() / 1000 }, fallback)),
    ).toBe(false);
  });

  it.each([
    ['SCHEDULED', 'scheduled'],
    ['scheduled', 'scheduled'],
    ['CHECK_IN', 'live'],
    ['MANUAL_RESULT', 'live'],
    ['SOMETHING_NEW', 'live'],
    [undefined, 'live'],
    ['finished', 'ended'],
  ] as const)('%s → %s', (status, expected) => {
    expect(faceitPhase(status)).toBe(expected);
  });
});
