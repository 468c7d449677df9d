import type { RedisClient } from './connection.ts';

/**
 * Every Redis key the bridge names is built here. A Redis Cluster refuses a Lua script, MULTI or
 * pipeline whose keys lie in different hash slots (CROSSSLOT), and only a hash tag — the first `{…}`
 * in a key — puts different keys in one slot. So keys are named by *group*: the keys one operation
 * touches together belong to one group, and on a cluster every key of a group carries the group's tag,
 * `<prefix>:{<group>}:…`. Different groups get different tags, so the load spreads over the masters.
 *
 * On a single Redis no tag is added: key names stay what they always were (`<prefix>:<group>:…`).
 * A prefix that carries a tag itself (`{bridge}`) wins over the group's (the first `{…}` counts): then
 * every key of the bridge is in one slot, which is safe but puts the whole load on one master.
 */
export function keyGroup(redis: RedisClient, prefix: string, group: string): string {
  return redis.isCluster ? `${prefix}:{${group}}` : `${prefix}:${group}`;
}

/** A key of `group`: `keyGroup(…)` followed by `:part:part…`. */
export function redisKey(redis: RedisClient, prefix: string, group: string, ...parts: string[]): string {
  return [keyGroup(redis, prefix, group), ...parts].join(':');
}

/**
 * The BullMQ `prefix` of queue `queue`: BullMQ names its keys `<prefix>:<queue>:…` and its scripts touch
 * several of them at once, so on a cluster the prefix carries the queue's own tag (BullMQ's "Redis
 * Cluster" pattern: a different tag per queue). On a single Redis it is the prefix unchanged.
 */
export function bullPrefix(redis: RedisClient, prefix: string, queue: string): string {
  return redis.isCluster ? keyGroup(redis, prefix, queue) : prefix;
}
