// The championship room of the real webhook captures, step by step, for the webhook driver to play.
import type { TimelineStep } from './types.ts';

const s = 1000;
const min = 60 * s;
const h = 60 * min;
const d = 24 * h;

/**
 * One BO2 championship room as FACEIT ran it (sebazai/eggosystem,
 * `apps/backend/src/routes/v1/fixtures/faceit-webhooks/1-3e047cf2-6b8f-479b-8a47-7ca122a2116d.json` @
 * a20492d: 19 webhooks, each with the Data API's answer at the time; our own values in
 * fixtures/faceit-samples/modelled__championship_timeline.json): the same events, in the same order, with
 * the same gaps and the Data API in the same state. Roster changes name lineup and bench positions
 * (0-based), so the match needs at least 5 players and 1 substitute in faction1, 5 and 2 in faction2.
 *
 * Seed it `competitionType: 'championship'`, `bestOf: 2`, `status: 'SCHEDULED'`.
 */
export const CHAMPIONSHIP_TIMELINE: readonly TimelineStep[] = [
  {
    name: 'created',
    event: 'match_object_created',
    gapMs: 0,
    status: null,
    note: 'created days ahead: the payload has no teams, the Data API answers SCHEDULED with full rosters',
  },
  {
    name: 'configuring',
    event: 'match_status_configuring',
    gapMs: 8 * d + 22 * h + 53 * min + 30 * s,
    status: 'CONFIGURING',
    change: (w) => w.swap('faction1', 4, 0),
    note: '8 days 22 hours later; one player swapped in since creation (substitutions: 1)',
  },
  { name: 'ready', event: 'match_status_ready', gapMs: 2 * s, status: 'READY', note: '' },
  {
    name: 'forfeit',
    event: 'match_status_finished',
    gapMs: 5 * min,
    status: 'FINISHED',
    statusOptions: { forfeit: true, winner: 'faction1' },
    note: 'forfeit: started_at 1970-01-01T00:00:00Z; the Data API: no started_at, 2–0 of 1–0 placeholders',
  },
  {
    name: 'restart',
    event: 'match_status_configuring',
    gapMs: 5 * min + 27 * s,
    status: 'CONFIGURING',
    note: 'FACEIT restarts the room after the forfeit',
  },
  { name: 'restart-ready', event: 'match_status_ready', gapMs: 2 * s, status: 'READY', note: '' },
  {
    name: 'reconfigure-1',
    event: 'match_status_configuring',
    gapMs: 3 * min + 31 * s,
    status: 'CONFIGURING',
    note: 're-configured without a finish in between',
  },
  { name: 'ready-1', event: 'match_status_ready', gapMs: 2 * s, status: 'READY', note: '' },
  {
    name: 'reconfigure-2',
    event: 'match_status_configuring',
    gapMs: 2 * min + 43 * s,
    status: 'CONFIGURING',
    change: (w) => w.swap('faction2', 2, 0),
    note: 'faction2 swaps a player',
  },
  { name: 'ready-2', event: 'match_status_ready', gapMs: 1 * s, status: 'READY', note: '' },
  {
    name: 'reconfigure-3',
    event: 'match_status_configuring',
    gapMs: 4 * min + 10 * s,
    status: 'CONFIGURING',
    change: (w) => w.swap('faction2', 3, 0),
    note: 'faction2 swaps another player in from the bench',
  },
  { name: 'ready-3', event: 'match_status_ready', gapMs: 2 * s, status: 'READY', note: 'map 1 is played' },
  {
    name: 'map-2-configuring',
    event: 'match_status_configuring',
    gapMs: 44 * min + 3 * s,
    status: null,
    finishMap: { winner: 'faction1', score: { faction1: 13, faction2: 9 } },
    change: (w) => w.newInstance(),
    note: "map 1 ends 13–9; map 2's first server configures while the Data API already says READY",
  },
  { name: 'map-2-ready', event: 'match_status_ready', gapMs: 0, status: 'READY', note: '' },
  {
    name: 'map-1-demo',
    event: 'match_demo_ready',
    gapMs: 22 * s,
    status: null,
    note: "map 1's demo (-1-<instance>); the Data API: one detailed result, map 1's score",
  },
  {
    name: 'reconfigure-4',
    event: 'match_status_configuring',
    gapMs: 3 * min + 38 * s,
    status: 'CONFIGURING',
    change: (w) => w.swap('faction2', 2, 1),
    note: 'faction2: the player benched at the last re-configure comes back for the one who came in before',
  },
  { name: 'ready-4', event: 'match_status_ready', gapMs: 2 * s, status: 'READY', note: 'map 2 is played' },
  {
    name: 'map-2-demo',
    event: 'match_demo_ready',
    gapMs: 53 * min + 15 * s,
    status: 'FINISHED',
    finishMap: { winner: 'faction2', score: { faction1: 14, faction2: 16 } },
    note: 'map 2 ends 14–16 and the series 1–1; its demo (-2-<instance>) comes with the Data API FINISHED',
  },
  {
    name: 'finish-copy',
    event: 'match_status_finished',
    gapMs: 30 * s,
    status: null,
    copyOf: 'forfeit',
    note: "the only finish after the replay: a byte-identical copy of the forfeit's (same event_id, version)",
  },
];
