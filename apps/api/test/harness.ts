import {
  apiConfigSchema,
  type BridgeQueues,
  createWorkerRedis,
  type Intake,
  IntakeRelay,
  type Metrics,
  type RedisClient,
} from '@bridge/core';
import { captureLogger, cleanupPrefix, REDIS_URL, testPrefix, waitFor } from '@bridge/testbed';
import type { Job } from 'bullmq';
import { createApiDeps } from '../src/create-deps.ts';
import { createSampledLog, type SampledLog } from '../src/lib/sampled-log.ts';
import { startMetricsServer } from '../src/metrics-server.ts';
import { type RunningApi, type SERVER_TIMEOUTS, startApi } from '../src/server.ts';

export const SECRET = 'test-webhook-secret-0123456789';

export interface TestApi extends RunningApi {
  prefix: string;
  redis: RedisClient;
  queues: BridgeQueues;
  intake: Intake;
  metrics: Metrics;
  /** The `matches` job with this id, once the relay has added it. */
  job(id: string): Promise<Job>;
  /** The internal listener's base URL (`/metrics`). */
  metricsUrl: string;
  /** Starts the relay when the API was started without it. */
  startRelay(): void;
  /** Waits until the relay has turned every accepted webhook into a job. */
  drained(): Promise<void>;
  /**
   * How many webhooks were enqueued in any form: intake entries not yet relayed, plus jobs. Reads the
   * stream first: the relay adds a job before deleting its entry, so an accepted webhook always counts.
   */
  enqueued(): Promise<number>;
  logs: Record<string, unknown>[];
  /** The sampled log the routes write refusals to; `flush()` writes the pending counts. */
  sampledLog: SampledLog;
  post(body: unknown, headers?: Record<string, string>): Promise<Response>;
  stop(): Promise<void>;
}

/** The real API on a random port, its own BullMQ prefix on the given Redis, logs captured as JSON. */
export async function startTestApi(
  opts: {
    redisUrl?: string;
    waitReady?: boolean;
    admin?: { user: string; password: string };
    /** FACEIT_WEBHOOK_QUERY_PARAM: also accept the secret in this query parameter. */
    queryParam?: string;
    /** More configuration (TRUSTED_PROXY_HOPS …). */
    config?: Record<string, unknown>;
    /** INTAKE_BACKLOG_LIMIT. */
    backlogLimit?: number;
    /** Start the relay (what a worker copy runs) with the API; false: only once `startRelay()` is called. */
    relay?: boolean;
    /** Window of the sampled log (lines unauthenticated requests cause); default a minute. */
    sampleWindowMs?: number;
    /** Server timeouts other than SERVER_TIMEOUTS. */
    timeouts?: Partial<typeof SERVER_TIMEOUTS>;
  } = {},
): Promise<TestApi> {
  const redisUrl = opts.redisUrl ?? REDIS_URL;
  const prefix = testPrefix('api');
  const { log, logs } = captureLogger('api-test');
  const config = apiConfigSchema.parse({
    NODE_ENV: 'test',
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    FACEIT_WEBHOOK_SECRET: SECRET,
    ...(opts.queryParam ? { FACEIT_WEBHOOK_QUERY_PARAM: opts.queryParam } : {}),
    ...(opts.admin ? { ADMIN_USER: opts.admin.user, ADMIN_PASSWORD: opts.admin.password } : {}),
    ...(opts.backlogLimit ? { INTAKE_BACKLOG_LIMIT: opts.backlogLimit } : {}),
    ...opts.config,
  });
  const deps = createApiDeps(config, log);
  const { redis, queues, intake, metrics } = deps;
  if (opts.waitReady !== false) await waitFor(() => redis.status === 'ready', { what: 'redis ready' });
  // What a worker copy runs: without it accepted webhooks would stay in the intake stream.
  const relayRedis = createWorkerRedis(redisUrl);
  relayRedis.on('error', () => {});
  const relay = new IntakeRelay({ connection: relayRedis, prefix, queues, log });
  const startRelay = () => relay.start();
  if (opts.relay !== false) startRelay();
  const sampledLog = createSampledLog(log, opts.sampleWindowMs ? { windowMs: opts.sampleWindowMs } : {});
  const api = await startApi({ ...deps, sampledLog }, opts.timeouts ? { timeouts: opts.timeouts } : {});
  const metricsServer = await startMetricsServer(metrics);
  return {
    ...api,
    prefix,
    redis,
    queues,
    intake,
    metrics,
    logs,
    sampledLog,
    metricsUrl: metricsServer.url,
    startRelay,
    job: (id) =>
      waitFor(async () => (await queues.matches.getJob(id)) ?? (await queues.cleanup.getJob(id)), {
        what: `job ${id}`,
      }),
    drained: async () => {
      await waitFor(async () => (await intake.backlog()) === 0, { what: 'intake relayed' });
    },
    enqueued: async () =>
      (await intake.backlog()) + (await queues.matches.count()) + (await queues.cleanup.count()),
    post: (body, headers = {}) =>
      fetch(`${api.url}/faceit-webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-faceit-webhook-secret': SECRET, ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    stop: async () => {
      await api.close();
      await metricsServer.close();
      sampledLog.flush();
      await relay.close();
      relayRedis.disconnect();
      await deps.close();
      if (redisUrl === REDIS_URL) await cleanupPrefix(REDIS_URL, prefix);
    },
  };
}
