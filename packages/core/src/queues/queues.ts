import { Queue } from 'bullmq';
import type { RedisClient } from '../redis/connection.ts';
import { bullPrefix } from '../redis/keys.ts';
import { DEFAULT_JOB_OPTIONS, QUEUE_NAMES, type QueueName } from './catalog.ts';

/** A producer-side queue with the contract's defaults; `prefix` is QUEUE_PREFIX. */
export function createQueue(name: QueueName, connection: RedisClient, prefix: string): Queue {
  const queue = new Queue(name, {
    connection,
    prefix: bullPrefix(connection, prefix, name),
    defaultJobOptions: DEFAULT_JOB_OPTIONS[name],
  });
  // Without a listener an 'error' event would crash the process; the caller's health checks report it.
  queue.on('error', () => {});
  return queue;
}

/** One producer-side queue per queue of the catalog. */
export type BridgeQueues = Record<QueueName, Queue>;

/** Closes the queues (not their connection, which the caller owns). */
export async function closeQueues(queues: BridgeQueues): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}

/** The producer-side queues on one connection: how the API, the worker and the tests open them. */
export function createQueues(connection: RedisClient, prefix: string): BridgeQueues {
  return Object.fromEntries(QUEUE_NAMES.map((q) => [q, createQueue(q, connection, prefix)])) as BridgeQueues;
}
