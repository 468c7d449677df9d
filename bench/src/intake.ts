import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createIntake,
  createLogger,
  createProducerRedis,
  createQueues,
  createWorkerRedis,
  IntakeRelay,
} from '@bridge/core';
import {
  API_ENTRY,
  API_NODE_ARGS,
  type AppProcess,
  cleanupPrefix,
  deferCleanup,
  freePort,
  REDIS_URL,
  startAppProcess,
  testPrefix,
  waitFor,
} from '@bridge/testbed';
import { type LoadResult, loadTest } from './load.ts';
import { percentile } from './stats.ts';

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
  secondsPerRound: number;
  rounds: number;
  /** The round with the median req/s of each server. */
  bare: LoadResult;
  intake: LoadResult;
  /** Median over the rounds of intake/bare within a round (the pair ran seconds apart). */
  ratio: number;
  /** intake/bare of each round, in order: how much the machine moved the figure during the run. */
  roundRatios: number[];
  /** Accepted webhooks found in Redis afterwards (intake stream + jobs), warm-up included. */
  enqueued: number;
  requests: number;
  /** Intake requests over all rounds that errored or were not answered 2xx. */
  failed: number;
  /** One relay (what each worker copy runs) turning the whole backlog into `matches` jobs. */
  relay: { jobs: number; seconds: number; jobsPerSecond: number };
}

const SECRET = 'bench-webhook-secret-0123456789';

async function startServer(entry: string, env: Record<string, string>) {
  const port = await freePort();
  // Both servers run with the API's production Node flags, so the comparison is of code, not of GC.
  const proc = startAppProcess(
    entry,
    { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    { nodeArgs: API_NODE_ARGS },
  );
  // Any HTTP answer means it listens (the API logs at warn here, so no 'listening' line).
  await waitFor(() => fetch(`http://127.0.0.1:${port}/`).then(() => true), { what: 'server listening' });
  return { proc, port };
}

function load(port: number, seconds: number, connections: number) {
  return loadTest({
    url: `http://127.0.0.1:${port}/faceit-webhook`,
    headers: { 'x-faceit-webhook-secret': SECRET },
    body: freshDelivery,
    connections,
    seconds,
  });
}

const median = (results: LoadResult[]) => {
  const sorted = [...results].sort((a, b) => a.rps - b.rps);
  return sorted[Math.floor(sorted.length / 2)] as LoadResult;
};

/**
 * Intake vs a bare Hono server: same machine, same load generator, same run. Both servers stay up and
 * the load alternates between them round by round, so a slow spell of this shared machine hits both;
 * the ratio is the median of the rounds' intake/bare. Then one relay drains what was accepted, to show the other half's pace.
 */
export async function benchIntake(
  opts = { connections: 50, secondsPerRound: 3, rounds: 9 },
): Promise<IntakeResult> {
  const redisUrl = REDIS_URL;
  const prefix = testPrefix('bench-intake');
  const procs: AppProcess[] = [];
  const forget = deferCleanup(`Redis keys ${prefix}*`, () => cleanupPrefix(redisUrl, prefix));
  try {
    const bare = await startServer(join(import.meta.dirname, 'bare-server.ts'), {
      FACEIT_WEBHOOK_SECRET: SECRET,
    });
    procs.push(bare.proc);
    const api = await startServer(API_ENTRY, {
      FACEIT_WEBHOOK_SECRET: SECRET,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      // No relay runs during the rounds (it drains afterwards), so the backlog grows past the default.
      INTAKE_BACKLOG_LIMIT: '100000000',
      API_METRICS_PORT: '0',
    });
    procs.push(api.proc);
    // Warm-up: JIT, connection pools.
    await load(bare.port, 2, opts.connections);
    await load(api.port, 2, opts.connections);

    const bareRuns: LoadResult[] = [];
    const intakeRuns: LoadResult[] = [];
    for (let i = 0; i < opts.rounds; i++) {
      // Which goes first alternates, so neither always meets the machine's state the other left.
      const run = (port: number) => load(port, opts.secondsPerRound, opts.connections);
      const bareFirst = i % 2 === 0;
      const first = await run(bareFirst ? bare.port : api.port);
      const second = await run(bareFirst ? api.port : bare.port);
      bareRuns.push(bareFirst ? first : second);
      intakeRuns.push(bareFirst ? second : first);
      process.stderr.write(
        `round ${i + 1}: bare ${bareRuns.at(-1)?.rps} req/s, intake ${intakeRuns.at(-1)?.rps} req/s\n`,
      );
    }
    for (const p of procs.splice(0)) await p.kill('SIGTERM');

    const redis = createProducerRedis(redisUrl);
    const worker = createWorkerRedis(redisUrl);
    await waitFor(() => redis.status === 'ready', { what: 'redis ready' });
    const intake = createIntake(redis, prefix);
    const queues = createQueues(redis, prefix);
    const count = async () => (await queues.matches.count()) + (await queues.cleanup.count());
    // No worker ran, so accepted webhooks are all still in the intake stream.
    const enqueued = (await intake.backlog()) + (await count());
    const quiet = createLogger({ name: 'bench', level: 'silent' });
    const relay = new IntakeRelay({ connection: worker, prefix, queues, log: quiet });
    const started = performance.now();
    relay.start();
    await waitFor(async () => (await intake.backlog()) === 0, {
      what: 'relay drained',
      timeoutMs: 600_000,
      intervalMs: 100,
    });
    const seconds = (performance.now() - started) / 1000;
    const jobs = await count();
    await relay.close();
    await Promise.all(Object.values(queues).map((q) => q.close()));
    redis.disconnect();
    worker.disconnect();

    const roundRatios = intakeRuns.map((r, i) =>
      Number((r.rps / (bareRuns[i] as LoadResult).rps).toFixed(3)),
    );
    return {
      ...opts,
      bare: median(bareRuns),
      intake: median(intakeRuns),
      ratio: percentile(
        [...roundRatios].sort((x, y) => x - y),
        50,
      ),
      roundRatios,
      enqueued,
      requests: intakeRuns.reduce((n, r) => n + r.requests, 0),
      relay: { jobs, seconds: Number(seconds.toFixed(2)), jobsPerSecond: Math.round(jobs / seconds) },
      failed: intakeRuns.reduce((n, r) => n + r.errors + r.non2xx, 0),
    };
  } finally {
    for (const p of procs) await p.kill('SIGTERM');
    await cleanupPrefix(redisUrl, prefix);
    forget();
  }
}
