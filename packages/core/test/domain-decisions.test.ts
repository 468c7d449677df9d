import { describe, expect, it } from 'vitest';
import {
  type BridgeChannel,
  channelsOfMatch,
  chooseCategory,
  decideEvent,
  diffOverwrites,
  isEmptyDiff,
  type Overwrite,
  orphanChannels,
  overflowIndex,
  sweepVerdict,
} from '../src/index.ts';

describe('decideEvent: what a created-type event means given the stored state', () => {
  it.each([
    ['active', 'READY', 'converge'],
    ['active', 'VOTING', 'converge'],
    ['active', undefined, 'converge'],
    ['ended', 'READY', 'ignore-ended'],
    ['ended', 'FINISHED', 'ignore-ended'],
    ['ended', undefined, 'ignore-ended'],
    ['active', 'FINISHED', 'finish'],
    ['active', 'CANCELLED', 'finish'],
    ['active', 'aborted', 'finish'],
  ] as const)('stored %s, FACEIT %s → %s', (stored, faceitStatus, expected) => {
    expect(decideEvent({ stored, faceitStatus })).toBe(expected);
  });
});

describe('sweepVerdict', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
  it.each([
    [1, 'ONGOING', false, 'keep'],
    [1, 'FINISHED', false, 'ended'],
    [1, 'CANCELLED', false, 'ended'],
    [1, undefined, true, 'unknown-match'],
    [7, 'ONGOING', false, 'too-old'],
    [5.9, 'READY', false, 'keep'],
  ] as const)('%sh old, FACEIT %s, missing %s → %s', (age, faceitStatus, faceitMissing, expected) => {
    expect(sweepVerdict({ createdAt: hoursAgo(age), now, maxAgeHours: 6, faceitStatus, faceitMissing })).toBe(
      expected,
    );
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
