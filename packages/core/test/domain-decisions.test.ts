import { describe, expect, it } from 'vitest';
import {
  chooseCategory,
  decideEvent,
  diffOverwrites,
  exitChannel,
  isEmptyDiff,
  mustLeave,
  type Overwrite,
  overflowIndex,
  sweepVerdict,
} from '../src/index.ts';

describe('decideEvent: what an event means given the stored state', () => {
  it.each([
    ['created', 'active', 'READY', 'converge'],
    ['created', 'active', 'VOTING', 'converge'],
    ['created', 'active', undefined, 'converge'],
    ['created', 'ended', 'READY', 'ignore-ended'],
    ['created', 'ended', 'FINISHED', 'ignore-ended'],
    ['created', 'active', 'FINISHED', 'finish'],
    ['created', 'active', 'CANCELLED', 'finish'],
    ['created', 'active', 'aborted', 'finish'],
    ['finished', 'active', 'FINISHED', 'finish'],
    ['finished', 'ended', 'FINISHED', 'finish'],
    ['finished', 'ended', 'READY', 'finish'],
  ] as const)('%s job, stored %s, FACEIT %s → %s', (job, stored, faceitStatus, expected) => {
    expect(decideEvent({ job, stored, faceitStatus })).toBe(expected);
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
