import type { ApiConfig, BridgeQueues, Intake, Logger, Metrics, RedisClient } from '@bridge/core';
import type { QueueEvents } from 'bullmq';
import type { SampledLog } from './lib/sampled-log.ts';

/** What the API's routes need; createApiDeps builds it from the config, for main.ts and the tests alike. */
export interface ApiDeps {
  config: ApiConfig;
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
  queues: BridgeQueues;
  /** Prometheus metrics the routes count into; served on the internal listener (metrics-server.ts), never here. */
  metrics: Metrics;
  /** Completion events of queue `links`, so the OAuth callback page can show the job's outcome. */
  linkEvents: QueueEvents;
}

/** ApiDeps as the routes see them: the sampled log always there. */
export type RouteDeps = ApiDeps & { sampledLog: SampledLog };

export type AppEnv = { Variables: { requestId: string } };
