import {
  type BridgeQueues,
  closeQueues,
  createIntake,
  createMetrics,
  createQueues,
  createSupabase,
  createWorkerRedis,
  FaceitDataApi,
  type Logger,
  MatchStore,
  type Metrics,
  type RedisClient,
  RedisRateLimiter,
  redisKey,
  redisUrlOf,
  type SupabaseClient,
  startReporterLease,
  type WorkerConfig,
  type WorkerHealth,
} from '@bridge/core';
import { identifyBudgetReader } from '../lib/identify-budget.ts';

/** What the worker talks to before Discord: Redis, the queues, the database, FACEIT, its metrics. */
export interface Services {
  redis: RedisClient;
  db: SupabaseClient;
  matches: MatchStore;
  queues: BridgeQueues;
  metrics: Metrics;
  faceit: FaceitDataApi;
  /** Stops the reporter leases, closes the queues and Redis (after everything that uses them). */
  close(): Promise<void>;
}

/**
 * Phase 1 of a worker's start: the connections and clients every later phase uses. `health` is read by
 * the metrics (`bridge_worker_ready`); it is the start's own view, wired in phase 2.
 */
export function openServices(config: WorkerConfig, log: Logger, health: () => WorkerHealth): Services {
  const redis = createWorkerRedis(redisUrlOf(config));
  redis.on('error', (err) => log.error({ err: err.message }, 'redis connection error'));
  const db = createSupabase(config.SUPABASE_URL, config.SUPABASE_SERVICE_ROLE_KEY);
  const matches = new MatchStore(db);
  const queues = createQueues(redis, config.QUEUE_PREFIX);
  // One copy of the deployment exports each group of deployment-wide gauges (metrics.ts says why).
  const reporters = {
    queues: startReporterLease(redis, config.QUEUE_PREFIX, 'queues'),
    worker: startReporterLease(redis, config.QUEUE_PREFIX, 'worker'),
  };
  const metrics = createMetrics('worker', {
    queues: Object.values(queues),
    intakeBacklog: createIntake(redis, config.QUEUE_PREFIX).backlog,
    activeMatches: () => matches.countActive(),
    identifyBudget: identifyBudgetReader(config.DISCORD_TOKEN, config.DISCORD_API_URL),
    reports: (group) => reporters[group].holds(),
    groups: ['queues', 'worker'],
    health,
    redisReady: () => redis.status === 'ready',
  });
  const faceit = new FaceitDataApi({
    onRequest: ({ route, status, attempt, lane, rateLimitWaitMs }) => {
      metrics.faceitRequests.inc({ route, status: String(status) });
      log.debug({ route, status, attempt, lane, rateLimitWaitMs }, 'FACEIT request');
    },
    baseUrl: config.FACEIT_API_URL,
    apiKey: config.FACEIT_API_KEY,
    limiter: new RedisRateLimiter(
      redis,
      redisKey(redis, config.QUEUE_PREFIX, 'faceit-rate'),
      config.FACEIT_API_RPS,
      redisKey(redis, config.QUEUE_PREFIX, 'faceit-rate', 'interactive'),
    ),
  });
  return {
    redis,
    db,
    matches,
    queues,
    metrics,
    faceit,
    close: async () => {
      await Promise.all([reporters.queues.stop(), reporters.worker.stop()]);
      await closeQueues(queues);
      redis.disconnect();
    },
  };
}
