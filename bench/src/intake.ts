import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createProducerRedis, createQueue, QUEUES } from '@bridge/core';
import { API_ENTRY, cleanupPrefix, freePort, startAppProcess, testPrefix, waitFor } from '@bridge/testbed';
import { type LoadResult, loadTest } from './load.ts';

const sample = JSON.parse(
  readFileSync(
    join(
      import.meta.dirname,
      '../../fixtures/faceit-samples/match_status_ready__nhamonin_faceit-statistics.json',
    ),
    'utf8',
  ),
);

/** A real delivery with fresh ids: every request is a new event, so every request is an enqueue. */
function freshDelivery(): string {
  const matchId = `1-${randomUUID()}`;
  return JSON.stringify({
    ...sample,
    event_id: randomUUID(),
    transaction_id: randomUUID(),
    payload: { ...sample.payload, id: matchId },
  });
}

export interface IntakeResult {
  connections: number;
  seconds: number;
  bare: LoadResult;
  intake: LoadResult;
  ratio: number;
  enqueued: number;
}

async function measure(
  entry: string,
  env: Record<string, string>,
  opts: { connections: number; seconds: number },
) {
  const port = await freePort();
  const proc = startAppProcess(entry, { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
  try {
    // Any HTTP answer means it listens (the API logs at warn here, so no 'listening' line).
    await waitFor(() => fetch(`http://127.0.0.1:${port}/`).then(() => true), { what: 'server listening' });
    const target = {
      url: `http://127.0.0.1:${port}/faceit-webhook`,
      headers: { 'x-faceit-webhook-secret': env.FACEIT_WEBHOOK_SECRET ?? '' },
      body: freshDelivery,
      connections: opts.connections,
    };
    await loadTest({ ...target, seconds: 2 }); // warm-up: JIT, connection pools
    return await loadTest({ ...target, seconds: opts.seconds });
  } finally {
    await proc.kill('SIGTERM');
  }
}

/** Intake vs a bare Hono server, same machine, same load generator, same run. */
export async function benchIntake(opts = { connections: 50, seconds: 10 }): Promise<IntakeResult> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = testPrefix('bench-intake');
  const secret = 'bench-webhook-secret-0123456789';
  try {
    const bare = await measure(
      join(import.meta.dirname, 'bare-server.ts'),
      { FACEIT_WEBHOOK_SECRET: secret },
      opts,
    );
    const intake = await measure(
      API_ENTRY,
      { FACEIT_WEBHOOK_SECRET: secret, REDIS_URL: redisUrl, QUEUE_PREFIX: prefix },
      opts,
    );
    const redis = createProducerRedis(redisUrl);
    const queue = createQueue(QUEUES.matches, redis, prefix);
    const enqueued = await queue.count();
    await queue.close();
    redis.disconnect();
    return { ...opts, bare, intake, ratio: Number((intake.rps / bare.rps).toFixed(3)), enqueued };
  } finally {
    await cleanupPrefix(redisUrl, prefix);
  }
}
