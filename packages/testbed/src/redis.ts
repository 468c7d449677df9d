import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createProducerRedis } from '@bridge/core';
import { Cluster, Redis } from 'ioredis';
import { childExited, trackChild } from './cleanup.ts';
import { freePort, waitFor } from './wait.ts';

/** The shared Redis the tests use (REDIS_URL, else the local default). */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of its own for one test (BullMQ `prefix`), hash-tagged for Redis Cluster safety. */
export function testPrefix(name = 'test', opts: { tagged?: boolean } = {}): string {
  const unique = `${name}-${randomBytes(5).toString('hex')}`;
  // Untagged, a Redis Cluster spreads the bridge's key groups over its masters (redis/keys.ts).
  return opts.tagged === false ? unique : `{${unique}}`;
}

/** Deletes every key under a prefix, so test runs leave nothing behind in the shared Redis (or cluster). */
export async function cleanupPrefix(redisUrl: string, prefix: string): Promise<number> {
  const client = createProducerRedis(redisUrl, { lazyConnect: true });
  client.on('error', () => {});
  await client.connect();
  try {
    // A cluster's keys are spread over its masters, and one UNLINK may only name keys of one slot.
    if (client instanceof Cluster) {
      const counts = await Promise.all(client.nodes('master').map((node) => unlinkUnder(node, prefix, true)));
      return counts.reduce((a, b) => a + b, 0);
    }
    return await unlinkUnder(client, prefix, false);
  } finally {
    client.disconnect();
  }
}

async function unlinkUnder(redis: Redis, prefix: string, oneByOne: boolean): Promise<number> {
  let removed = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length === 0) continue;
    removed += oneByOne
      ? (await Promise.all(keys.map((k) => redis.unlink(k)))).reduce((a, b) => a + b, 0)
      : await redis.unlink(...keys);
  } while (cursor !== '0');
  return removed;
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** Kills the server (as an outage would); `start()` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A throw-away redis-server on its own port, for tests that take Redis down. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    trackChild(child);
    await waitFor(
      async () => {
        const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        r.on('error', () => {});
        try {
          await r.connect();
          return (await r.ping()) === 'PONG';
        } finally {
          r.disconnect();
        }
      },
      { what: 'private redis-server', timeoutMs: 10_000 },
    );
  };
  const stop = async () => {
    if (!child) return;
    child.kill('SIGKILL');
    await childExited(child);
  };
  await start();
  return { url, port, stop, start };
}
