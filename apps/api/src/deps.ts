import type { ApiConfig, Intake, Logger, Metrics, RedisClient } from '@bridge/core';
import type { Queue, QueueEvents } from 'bullmq';
import type { SampledLog } from './lib/sampled-log.ts';

/** What the API's routes need; main.ts builds it from the environment, tests from their fixtures. */
export interface ApiDeps {
  config: Pick<ApiConfig, 'FACEIT_WEBHOOK_SECRET' | 'FACEIT_WEBHOOK_HEADER'> & Partial<ApiConfig>;
  log: Logger;
  /**
   * Where lines that unauthenticated requests cause go (first one in full, then a count per minute);
   * createApp makes one over `log` when none is given.
   */
  sampledLog?: SampledLog;
  /** Producer connection (no offline queue): its status says whether Redis is reachable right now. */
  redis: RedisClient;
  /** Where accepted webhooks go; the workers' relay turns entries into `matches` jobs. */
  intake: Intake;
  queues: { matches: Queue; cleanup?: Queue; links: Queue; maintenance?: Queue };
  /** Prometheus metrics the routes count into; served on the internal listener (metrics-server.ts), never here. */
  metrics?: Metrics;
  /** Completion events of queue `links`, so the OAuth callback page can show the job's outcome. */
  linkEvents?: QueueEvents;
}

/** ApiDeps as the routes see them: the sampled log always there. */
export type RouteDeps = ApiDeps & { sampledLog: SampledLog };

export type AppEnv = { Variables: { requestId: string } };
