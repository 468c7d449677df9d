import { describe, expect, it } from 'vitest';
import { planShards, shardTarget } from '../src/index.ts';

describe('shard sharing between worker copies', () => {
  it('splits shards evenly, the first copies taking the remainder; copies past the shard count get none', () => {
    expect([0, 1, 2].map((r) => shardTarget(4, 3, r))).toEqual([2, 1, 1]);
    expect([0, 1, 2, 3].map((r) => shardTarget(4, 4, r))).toEqual([1, 1, 1, 1]);
    expect([0, 1, 2, 3, 4].map((r) => shardTarget(4, 5, r))).toEqual([1, 1, 1, 1, 0]);
    expect(shardTarget(4, 1, 0)).toBe(4);
  });

  it('takes free shards up to its target, lowest first, and leaves shards another copy holds alone', () => {
    const move = planShards({
      shardCount: 4,
      copies: ['b', 'a', 'c'],
      self: 'b',
      holders: ['a', null, 'c', null],
    });
    expect(move).toEqual({ target: 1, take: [1], release: [] });
  });

  it('hands over its surplus, highest shard first, when copies join', () => {
    // A alone held all 4; B and C joined: A (rank 0) keeps 2.
    const move = planShards({
      shardCount: 4,
      copies: ['a', 'b', 'c'],
      self: 'a',
      holders: ['a', 'a', 'a', 'a'],
    });
    expect(move).toEqual({ target: 2, take: [], release: [3, 2] });
  });

  it('a copy not yet in the list still counts itself', () => {
    expect(planShards({ shardCount: 2, copies: [], self: 'x', holders: [null, null] })).toEqual({
      target: 2,
      take: [0, 1],
      release: [],
    });
  });
});
