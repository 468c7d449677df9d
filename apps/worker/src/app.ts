import {
  createIntake,
  createMetrics,
  createQueue,
  createSupabase,
  createWorkerRedis,
  FaceitDataApi,
  type Logger,
  PlayerLinkStore,
  QUEUES,
  RedisRateLimiter,
  type WorkerConfig,
} from '@bridge/core';
import { commands } from './commands/index.ts';
import type { FeatureHandle, WorkerDeps } from './deps.ts';
import { connectDiscord } from './discord/client.ts';
import { routeInteractions } from './discord/interactions.ts';
import { startGuildFeature } from './features/guilds.ts';
import { startLinkFeature } from './features/links.ts';
import { startMatchFeature } from './features/matches.ts';
import { instrumentDiscord, instrumentWorker } from './lib/instrument.ts';
import { type MetricsServer, startMetricsServer } from './lib/metrics-server.ts';

export interface RunningWorker {
  deps: WorkerDeps;
  /** Graceful: stop taking jobs, finish active ones, then disconnect. */
  close(): Promise<void>;
}

/** Wires the worker from its config: Redis, Supabase, FACEIT, the Discord gateway, commands and queues. */
export async function startWorkerApp(config: WorkerConfig, log: Logger): Promise<RunningWorker> {
  const redis = createWorkerRedis(config.REDIS_URL);
  redis.on('error', (err) => log.error({ err: err.message }, 'redis connection error'));
  const db = createSupabase(config.SUPABASE_URL, config.SUPABASE_SERVICE_ROLE_KEY);
  const queues = {
    matches: createQueue(QUEUES.matches, redis, config.QUEUE_PREFIX),
    links: createQueue(QUEUES.links, redis, config.QUEUE_PREFIX),
    maintenance: createQueue(QUEUES.maintenance, redis, config.QUEUE_PREFIX),
  };
  const metrics = createMetrics('worker', {
    queues: Object.values(queues),
    intakeBacklog: createIntake(redis, config.QUEUE_PREFIX).backlog,
    // One faction1 row per match with live channels.
    activeMatches: async () =>
      (
        await db
          .from('active_matches')
          .select('match_id', { count: 'exact', head: true })
          .eq('faction', 'faction1')
      ).count ?? 0,
  });
  const faceit = new FaceitDataApi({
    onRequest: ({ route, status }) => metrics.faceitRequests.inc({ route, status: String(status) }),
    baseUrl: config.FACEIT_API_URL,
    apiKey: config.FACEIT_API_KEY,
    limiter: new RedisRateLimiter(redis, `${config.QUEUE_PREFIX}:faceit-rate`, config.FACEIT_API_RPS),
  });

  const client = await connectDiscord({ token: config.DISCORD_TOKEN, apiUrl: config.DISCORD_API_URL, log });
  const guildId = config.DISCORD_GUILD_ID;
  const guild = guildId ? await client.guilds.fetch(guildId).catch(() => null) : undefined;
  if (guild === null) {
    await client.destroy();
    redis.disconnect();
    throw new Error(`the bot is not in guild DISCORD_GUILD_ID=${guildId}: invite it, or fix the id`);
  }
  instrumentDiscord(metrics, client);
  const deps: WorkerDeps = {
    config,
    log,
    redis,
    client,
    db,
    links: new PlayerLinkStore(db),
    faceit,
    queues,
    metrics,
  };

  const guildFeature = await startGuildFeature(deps, commands);
  routeInteractions(deps, commands);

  const features: FeatureHandle[] = [
    guildFeature,
    await startMatchFeature(deps),
    await startLinkFeature(deps),
  ];
  for (const worker of features.flatMap((f) => f.workers ?? [])) instrumentWorker(metrics, worker);
  const metricsServer: MetricsServer = await startMetricsServer(
    metrics,
    config.METRICS_PORT,
    () => client.isReady() && redis.status === 'ready',
  );
  log.info(
    {
      guild: guild?.id ?? null,
      guilds: client.guilds.cache.size,
      commands: commands.map((c) => c.data.name),
      features: features.map((f) => f.name),
      metricsPort: metricsServer.port,
    },
    'worker ready',
  );

  return {
    deps,
    close: async () => {
      await Promise.all(features.map((f) => f.close()));
      await metricsServer.close();
      await Promise.all(Object.values(queues).map((q) => q.close()));
      await client.destroy();
      redis.disconnect();
    },
  };
}
