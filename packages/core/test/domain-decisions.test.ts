import { describe, expect, it } from 'vitest';
import {
  type BridgeChannel,
  channelsOfMatch,
  chooseCategory,
  diffOverwrites,
  exitChannel,
  isEmptyDiff,
  mustLeave,
  notFoundDecision,
  type Overwrite,
  orphanChannels,
  overflowIndex,
  sweepVerdict,
} from '../src/index.ts';

describe('sweepVerdict', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
  const min = 60_000;
  it.each([
    [1, 'ONGOING', undefined, 'keep'],
    [1, 'FINISHED', undefined, 'ended'],
    [1, 'CANCELLED', undefined, 'ended'],
    [7, 'ONGOING', undefined, 'too-old'],
    [5.9, 'READY', undefined, 'keep'],
    // A single 404 never ends a match; nor do 404s on consecutive sweeps spanning less than 30 min.
    [1, undefined, { sweeps: 1, forMs: 0 }, 'keep'],
    [1, undefined, { sweeps: 1, forMs: 45 * min }, 'keep'],
    [1, undefined, { sweeps: 6, forMs: 29 * min }, 'keep'],
    [1, undefined, { sweeps: 7, forMs: 30 * min }, 'unknown-match'],
    [1, undefined, { sweeps: 2, forMs: 31 * min }, 'unknown-match'],
    // Live longer than MATCH_MAX_AGE_HOURS ends it whatever the streak.
    [7, undefined, { sweeps: 1, forMs: 0 }, 'too-old'],
  ] as const)('live %sh, FACEIT %s, 404 streak %j → %s', (age, faceitStatus, missing, expected) => {
    const verdict = sweepVerdict({
      createdAt: hoursAgo(9 * 24),
      liveSince: hoursAgo(age),
      now,
      maxAgeHours: 6,
      faceitStatus,
      missing,
    });
    expect(verdict).toBe(expected);
  });

  // A championship match is created 6–9 days before it is configured: the age limit counts from when it
  // went live, and a match that never did (scheduled, no channels) is kept without asking FACEIT.
  it.each([
    [9 * 24, 'keep'],
    [29 * 24, 'keep'],
    [31 * 24, 'never-live'],
  ] as const)('never live, created %sh ago → %s', (age, expected) => {
    expect(sweepVerdict({ createdAt: hoursAgo(age), liveSince: null, now, maxAgeHours: 6 })).toBe(expected);
  });
});

// Two matches whose ids start cafebabe… and deadbeef…: their channels are match-cafebabe-faction1 etc.
const M1 = '1-cafebabe-0000-4000-8000-000000000001';
const M2 = '1-deadbeef-0000-4000-8000-000000000002';
const TEMPLATE = 'match-{short}-{faction}';
const ch = (id: string, name: string): BridgeChannel => ({ id, name });

describe("channelsOfMatch: a match's channels are its rows' and the bridge channels named for it", () => {
  it.each([
    { name: 'rows only', rows: ['c1', 'c2'], bridge: [], expected: ['c1', 'c2'] },
    {
      name: 'created just before a crash (no row)',
      rows: ['c1'],
      bridge: [ch('c1', 'match-cafebabe-faction1'), ch('c2', 'match-cafebabe-faction2')],
      expected: ['c1', 'c2'],
    },
    {
      name: "another match's channel is not taken",
      rows: [],
      bridge: [ch('c3', 'match-deadbeef-faction1'), ch('c4', 'match-cafebabe-faction3')],
      expected: [],
    },
    {
      name: 'a row whose channel was renamed is still ours',
      rows: ['c5'],
      bridge: [ch('c5', 'renamed by staff')],
      expected: ['c5'],
    },
  ])('$name', ({ rows, bridge, expected }) => {
    expect(
      channelsOfMatch({ matchId: M1, template: TEMPLATE, rowChannelIds: rows, bridgeChannels: bridge }),
    ).toEqual(expected);
  });

  it('follows the configured template', () => {
    const bridge = [ch('c1', 'cs2 cafebabe faction2'), ch('c2', 'match-cafebabe-faction2')];
    expect(
      channelsOfMatch({
        matchId: M1,
        template: 'cs2 {short} {faction}',
        rowChannelIds: [],
        bridgeChannels: bridge,
      }),
    ).toEqual(['c1']);
  });
});

describe('orphanChannels: what the sweep may delete', () => {
  it.each([
    { name: 'named like a match channel, no row, no active match', known: [], active: [], orphan: true },
    { name: 'a row knows it', known: ['x'], active: [], orphan: false },
    { name: 'its match is still active (row on its way)', known: [], active: [M1], orphan: false },
    { name: 'another match is active', known: [], active: [M2], orphan: true },
  ])('$name', ({ known, active, orphan }) => {
    const channel = ch('x', 'match-cafebabe-faction1');
    expect(
      orphanChannels({
        template: TEMPLATE,
        knownChannelIds: new Set(known),
        activeMatchIds: active,
        bridgeChannels: [channel],
      }),
    ).toEqual(orphan ? [channel] : []);
  });

  it.each([
    ['General'],
    ['match-cafebabe-faction3'],
    ['match-CAFEBABE-faction1'],
    ['match-cafebabe-faction1-old'],
  ])('never a channel not named like a match channel: %s', (name) => {
    expect(
      orphanChannels({
        template: TEMPLATE,
        knownChannelIds: new Set(),
        activeMatchIds: [],
        bridgeChannels: [ch('x', name)],
      }),
    ).toEqual([]);
  });
});

describe('notFoundDecision: matchCreated got a 404', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  const minAgo = (m: number) => new Date(now.getTime() - m * 60_000);
  it.each([
    { name: 'fresh event', occurred: 0.1, received: 0.1, left: 9, expected: 'retry' },
    { name: '9 min old', occurred: 9, received: 9, left: 2, expected: 'retry' },
    { name: '10 min old', occurred: 10, received: 10, left: 2, expected: 'unknown' },
    { name: 'no attempts left', occurred: 1, received: 1, left: 0, expected: 'unknown' },
    { name: 'old redelivery, just received', occurred: 11, received: 0, left: 9, expected: 'unknown' },
    { name: "FACEIT's clock ahead", occurred: -30, received: 11, left: 9, expected: 'unknown' },
  ])('$name → $expected', ({ occurred, received, left, expected }) => {
    expect(
      notFoundDecision({
        occurredAt: minAgo(occurred),
        receivedAt: minAgo(received),
        now,
        attemptsLeft: left,
      }),
    ).toBe(expected);
  });

  it('uses the receipt time when FACEIT sent a timestamp that does not parse', () => {
    const base = { receivedAt: minAgo(1), now, attemptsLeft: 5 };
    expect(notFoundDecision({ ...base, occurredAt: new Date('nonsense') })).toBe('retry');
    expect(notFoundDecision({ ...base, receivedAt: minAgo(12), occurredAt: new Date('x') })).toBe('unknown');
  });
});

describe('diffOverwrites: desired vs actual', () => {
  const ow = (id: string, allow = 1n, deny = 0n, type: 'role' | 'member' = 'member'): Overwrite => ({
    id,
    type,
    allow,
    deny,
  });
  it.each([
    { name: 'equal', desired: [ow('a'), ow('b')], actual: [ow('b'), ow('a')], upsert: [], remove: [] },
    { name: 'new player', desired: [ow('a'), ow('c')], actual: [ow('a')], upsert: ['c'], remove: [] },
    {
      name: 'substituted',
      desired: [ow('a'), ow('c')],
      actual: [ow('a'), ow('b')],
      upsert: ['c'],
      remove: ['b'],
    },
    { name: 'changed bits', desired: [ow('a', 3n)], actual: [ow('a', 1n)], upsert: ['a'], remove: [] },
    {
      name: 'changed deny',
      desired: [ow('a', 0n, 2n)],
      actual: [ow('a', 0n, 1n)],
      upsert: ['a'],
      remove: [],
    },
    {
      name: 'changed type',
      desired: [ow('a', 1n, 0n, 'role')],
      actual: [ow('a')],
      upsert: ['a'],
      remove: [],
    },
    { name: 'empty actual', desired: [ow('a')], actual: [], upsert: ['a'], remove: [] },
  ])('$name', ({ desired, actual, upsert, remove }) => {
    const diff = diffOverwrites(desired, actual);
    expect(diff.upsert.map((o) => o.id)).toEqual(upsert);
    expect(diff.remove).toEqual(remove);
    expect(isEmptyDiff(diff)).toBe(upsert.length === 0 && remove.length === 0);
  });
});

describe('chooseCategory: overflow', () => {
  const base = (children: number) => ({ id: 'B', name: 'Matches', children });
  it.each([
    { name: 'base has room', b: 10, overflow: [], full: [], expected: { use: 'B' } },
    { name: 'base full, none yet', b: 50, overflow: [], full: [], expected: { create: 'Matches 2' } },
    {
      name: 'base full, overflow has room',
      b: 50,
      overflow: [{ id: 'O2', name: 'Matches 2', children: 3 }],
      full: [],
      expected: { use: 'O2' },
    },
    {
      name: 'lower overflow preferred',
      b: 50,
      overflow: [
        { id: 'O3', name: 'Matches 3', children: 1 },
        { id: 'O2', name: 'Matches 2', children: 1 },
      ],
      full: [],
      expected: { use: 'O2' },
    },
    {
      name: 'all full → next free number',
      b: 50,
      overflow: [
        { id: 'O2', name: 'Matches 2', children: 50 },
        { id: 'O4', name: 'Matches 4', children: 50 },
      ],
      full: [],
      expected: { create: 'Matches 3' },
    },
    { name: 'Discord said full', b: 1, overflow: [], full: ['B'], expected: { create: 'Matches 2' } },
    {
      name: 'base back to room',
      b: 49,
      overflow: [{ id: 'O2', name: 'Matches 2', children: 1 }],
      full: [],
      expected: { use: 'B' },
    },
  ])('$name', ({ b, overflow, full, expected }) => {
    expect(chooseCategory(base(b), overflow, 50, new Set(full))).toEqual(expected);
  });

  it.each([
    ['Matches 2', 2],
    ['Matches 12', 12],
    ['Matches 1', null],
    ['Matches', null],
    ['Matches x', null],
    ['Other 2', null],
  ])('overflowIndex(%s) = %s', (name, n) => expect(overflowIndex('Matches', name)).toBe(n));
});

describe('mustLeave: who is moved out of a team channel', () => {
  const bot = 'bot';
  it.each([
    [
      'a substituted-out player who can no longer connect',
      [{ userId: 'b', canConnect: false }],
      ['a'],
      ['b'],
    ],
    ['a team member stays', [{ userId: 'a', canConnect: true }], ['a'], []],
    [
      'a team member stays even before their overwrite landed',
      [{ userId: 'a', canConnect: false }],
      ['a'],
      [],
    ],
    ['staff or an admin (can connect) stays', [{ userId: 's', canConnect: true }], ['a'], []],
    ['the bot stays', [{ userId: bot, canConnect: false }], [], []],
    [
      'several leavers, sorted',
      [
        { userId: 'z', canConnect: false },
        { userId: 'a', canConnect: true },
        { userId: 'm', canConnect: false },
      ],
      ['a'],
      ['m', 'z'],
    ],
  ] as const)('%s', (_what, occupants, memberIds, expected) => {
    expect(mustLeave(occupants, memberIds, bot)).toEqual(expected);
  });

  it.each([
    ['lobby-1', 'lobby-1'],
    ['', null],
    [undefined, null],
  ] as const)('lobby %s → exit to %s', (lobby, expected) => {
    expect(exitChannel(lobby)).toBe(expected);
  });
});
