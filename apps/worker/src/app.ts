import { randomUUID } from 'node:crypto';
import {
  CardStore,
  closeQueues,
  createIntake,
  createMetrics,
  createQueues,
  createSupabase,
  createWorkerRedis,
  FaceitDataApi,
  faceitOAuthFromConfig,
  GuildStore,
  LevelSettingsStore,
  type Logger,
  MatchStore,
  RedisRateLimiter,
  redisKey,
  redisUrlOf,
  startReporterLease,
  type WorkerConfig,
  type WorkerHealth,
} from '@bridge/core';
import { commands } from './commands/index.ts';
import { startConsumers } from './consumers/index.ts';
import type { FeatureHandle, WorkerDeps } from './deps.ts';
import { startGuildFeature } from './events/guild-create-delete.ts';
import { startCommandFeature } from './features/commands.ts';
import { startLinkFeature } from './features/links.ts';
import { startMatchFeature } from './features/matches.ts';
import { AnnouncingLinks } from './gateway/announcing-links.ts';
import { announceLiveChange } from './gateway/live-members.ts';
import { type ShardOwner, shardedGateway } from './gateway/sharded.ts';
import { identifyBudgetReader } from './lib/identify-budget.ts';
import { instrumentDiscord, instrumentWorker } from './lib/instrument.ts';
import { type MetricsServer, startMetricsServer } from './lib/metrics-server.ts';
import { schemaCheck } from './lib/schema-check.ts';
import { loginSafely } from './startup.ts';

export interface RunningWorker {
  deps: WorkerDeps;
  /** Graceful: stop taking jobs, finish active ones, then disconnect. */
  close(): Promise<void>;
}

/**
 * Wires the worker from its config: Redis, Supabase, FACEIT, the metrics/health port, then the Discord
 * gateway (only once the REST checks pass), commands and queues. `signal` aborts a start that is waiting
 * to retry its checks (SIGTERM); the returned promise then rejects with the signal's reason.
 */
export async function startWorkerApp(
  config: WorkerConfig,
  log: Logger,
  signal: AbortSignal = new AbortController().signal,
): Promise<RunningWorker> {
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
    health: () => health(),
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

  // Up before the gateway login, so /healthz can say why the worker is not logged in.
  let problem: { reason: string; code: string } | null = {
    reason: 'starting: checking Discord before logging in',
    code: 'starting',
  };
  let discord: Awaited<ReturnType<typeof loginSafely>> | null = null;
  let owner: ShardOwner | null = null;
  const health = (): WorkerHealth => {
    if (problem) return { ok: false, ...problem };
    // Taking part in the shard leases: a copy may rightly hold no shard (more copies than shards).
    if (!owner) {
      return { ok: false, reason: 'discord gateway not connected', code: 'gateway' };
    }
    if (redis.status !== 'ready') return { ok: false, reason: `redis ${redis.status}`, code: 'redis' };
    return { ok: true };
  };
  const stopReporting = () => Promise.all([reporters.queues.stop(), reporters.worker.stop()]);
  const metricsServer: MetricsServer = await startMetricsServer(metrics, config.METRICS_PORT, health);
  log.info({ metricsPort: metricsServer.port }, 'metrics and health listening');
  try {
    discord = await loginSafely({
      config,
      log,
      signal,
      schema: () => schemaCheck(db),
      setProblem: (reason, code = 'starting') => {
        problem = reason === null ? null : { reason, code };
      },
    });
  } catch (err) {
    await stopReporting();
    await metricsServer.close();
    await closeQueues(queues);
    redis.disconnect();
    throw err;
  }
  const { client } = discord;
  instrumentDiscord(metrics, client);
  const liveChanged: WorkerDeps['liveChanged'] = (guildIds) => {
    void announceLiveChange(redis, config.QUEUE_PREFIX, guildIds).catch((err: Error) =>
      log.warn({ err: err.message }, 'live members change not announced; the next reload reads it'),
    );
  };
  const deps: WorkerDeps = {
    config,
    log,
    redis,
    client,
    links: new AnnouncingLinks(db, (guildId) => liveChanged(guildId ? [guildId] : 'links')),
    guilds: new GuildStore(db),
    cards: new CardStore(db),
    levels: new LevelSettingsStore(db),
    matches,
    faceit,
    oauth: faceitOAuthFromConfig(config),
    queues,
    metrics,
    liveChanged,
  };
  const copyId = `copy-${randomUUID().slice(0, 8)}`;
  const commandFeature = startCommandFeature(deps, commands, { copyId });
  const sharded = await shardedGateway(deps);
  deps.guildView = sharded.guildView;

  // Follows guilds joining and leaving, seeds DISCORD_GUILD_ID's settings.
  const guildFeature = await startGuildFeature(deps);

  const matchFeature = await startMatchFeature(deps);
  const linkFeature = startLinkFeature(deps);
  const features: FeatureHandle[] = [guildFeature, commandFeature, matchFeature, linkFeature];
  const workers = startConsumers(
    {
      connection: redis,
      prefix: config.QUEUE_PREFIX,
      log,
      metrics,
      concurrency: config.WORKER_CONCURRENCY,
    },
    { ...matchFeature.handlers, ...linkFeature.handlers },
  );
  for (const worker of workers) instrumentWorker(metrics, worker);
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  // The listeners are attached: the shards' events may flow.
  sharded.listeners.ready = (shard, guildIds) => {
    guildFeature.shardUp(guildIds);
    commandFeature.shardReady(shard, sharded.shardCount, guildIds);
  };
  sharded.listeners.voiceConnect = matchFeature.voiceConnect;
  sharded.listeners.joined = guildFeature.joined;
  sharded.listeners.removed = guildFeature.removed;
  owner = sharded.owner;
  await owner.start();
  log.info(
    {
      guild: config.DISCORD_GUILD_ID ?? null,
      shards: { count: sharded.shardCount, held: owner.held(), copy: owner.copyId },
      commands: commands.map((c) => c.data.name),
      features: features.map((f) => f.name),
      metricsPort: metricsServer.port,
    },
    'worker ready',
  );

  return {
    deps,
    close: async () => {
      // Shards first: the other copies take them over at once (RESUME), while this one drains its jobs.
      await owner?.stop();
      await Promise.all([...workers.map((w) => w.close()), ...features.map((f) => f.close())]);
      await stopReporting();
      await metricsServer.close();
      await closeQueues(queues);
      await client.destroy();
      redis.disconnect();
    },
  };
}
