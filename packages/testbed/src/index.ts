export {
  deferCleanup,
  type StopOnSignalsOptions,
  stopEverything,
  stopOnSignals,
  trackChild,
} from './cleanup.ts';
export { type CommandAnswer, type CommandRun, runCommand } from './commands.ts';
export { createRestGateway, type RestGateway, type RestGatewayOptions } from './gateway.ts';
export { signJwt, supabaseKeys } from './jwt.ts';
export { consent, linkButtonUrl, linkWithFetch, openStart, startLink } from './linking.ts';
export { captureLogger } from './logs.ts';
export {
  declaredMetrics,
  type MetricSample,
  parseExposition,
  scrape,
  workerMetricsUrl,
} from './metrics.ts';
export { type AppProcess, startAppProcess } from './process.ts';
export {
  deliveredGuildJobId,
  deliveredJobId,
  failedJobs,
  type SettledJob,
  settledJob,
  withQueue,
} from './queues.ts';
export { cleanupPrefix, type PrivateRedis, REDIS_URL, startPrivateRedis, testPrefix } from './redis.ts';
export { type LocalRedisCluster, startRedisCluster } from './redis-cluster.ts';
export {
  API_ENTRY,
  API_NODE_ARGS,
  faceitWorkerEnv,
  type RunningApp,
  type Stack,
  type StackOptions,
  type StackResources,
  startStack,
  WORKER_ENTRY,
} from './stack.ts';
export {
  applyMigrations,
  type LocalSupabase,
  type LocalSupabaseOptions,
  postgrestBinary,
  startLocalSupabase,
} from './supabase.ts';
export { freePort, waitFor } from './wait.ts';
