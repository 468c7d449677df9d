import type { Logger, WorkerConfig, WorkerHealth } from '@bridge/core';
import { commands } from './commands/index.ts';
import type { WorkerDeps } from './deps.ts';
import type { ShardOwner } from './gateway/sharded.ts';
import { instrumentDiscord } from './lib/instrument.ts';
import { startMetricsServer } from './lib/metrics-server.ts';
import { schemaCheck } from './lib/schema-check.ts';
import { startFeatures } from './start/features.ts';
import { openServices } from './start/services.ts';
import { loginSafely } from './startup.ts';

export interface RunningWorker {
  deps: WorkerDeps;
  /** Graceful: stop taking jobs, finish active ones, then disconnect. */
  close(): Promise<void>;
}

/**
 * Starts the worker from its config, in four phases: (1) the services (Redis, queues, database, FACEIT,
 * metrics) and the metrics/health port; (2) Discord's REST checks and client, retried without a crash loop;
 * (3) the features and the queues' consumers; (4) the gateway: this copy joins the shard leases. `signal`
 * aborts a start that is waiting to retry its checks (SIGTERM); the returned promise then rejects with the
 * signal's reason.
 */
export async function startWorkerApp(
  config: WorkerConfig,
  log: Logger,
  signal: AbortSignal = new AbortController().signal,
): Promise<RunningWorker> {
  // Up before the gateway login, so /healthz can say why the worker is not logged in.
  let problem: { reason: string; code: string } | null = {
    reason: 'starting: checking Discord before logging in',
    code: 'starting',
  };
  let owner: ShardOwner | null = null;
  const health = (): WorkerHealth => {
    if (problem) return { ok: false, ...problem };
    // Taking part in the shard leases: a copy may rightly hold no shard (more copies than shards).
    if (!owner) return { ok: false, reason: 'discord gateway not connected', code: 'gateway' };
    if (services.redis.status !== 'ready') {
      return { ok: false, reason: `redis ${services.redis.status}`, code: 'redis' };
    }
    return { ok: true };
  };

  // Phase 1: services.
  const services = openServices(config, log, health);
  const metricsServer = await startMetricsServer(services.metrics, config.METRICS_PORT, health);
  log.info({ metricsPort: metricsServer.port }, 'metrics and health listening');

  // Phase 2: Discord, once its checks pass.
  const discord = await loginSafely({
    config,
    log,
    signal,
    schema: () => schemaCheck(services.db),
    setProblem: (reason, code = 'starting') => {
      problem = reason === null ? null : { reason, code };
    },
  }).catch(async (err: unknown) => {
    await metricsServer.close();
    await services.close();
    throw err;
  });
  const { client } = discord;
  instrumentDiscord(services.metrics, client);

  // Phase 3: features and consumers.
  const { deps, gateway, features, consumers } = await startFeatures(config, log, services, client);

  // Phase 4: the gateway. The listeners are attached: the shards' events may flow.
  owner = gateway.owner;
  await owner.start();
  log.info(
    {
      guild: config.DISCORD_GUILD_ID ?? null,
      shards: { count: gateway.shardCount, held: owner.held(), copy: owner.copyId },
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
      await Promise.all([...consumers.map((c) => c.close()), ...features.map((f) => f.close())]);
      await metricsServer.close();
      await services.close();
      await client.destroy();
    },
  };
}
