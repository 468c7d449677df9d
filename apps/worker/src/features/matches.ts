import { GuildStore, IntakeRelay, MAINTENANCE_JOBS, MatchStore } from '@bridge/core';
import { startMaintenanceWorker } from '../consumers/maintenance-worker.ts';
import { startMatchWorker } from '../consumers/match-worker.ts';
import type { FeatureHandle, WorkerDeps } from '../deps.ts';
import { listenForLateJoiners } from '../events/voice-state-update.ts';
import { matchCreatedHandler } from '../jobs/match-created.ts';
import { matchFinishedHandler } from '../jobs/match-finished.ts';
import { matchGuildCreatedHandler, matchGuildFinishedHandler } from '../jobs/match-guild.ts';
import { runSweep } from '../jobs/sweep.ts';
import type { MatchContext } from '../matches/match-context.ts';

/** Match voice channels: the intake relay, the `matches` consumer, late joiners, and the periodic sweep. */
export async function startMatchFeature(deps: WorkerDeps): Promise<FeatureHandle> {
  const ctx: MatchContext = { deps, store: new MatchStore(deps.db), guilds: new GuildStore(deps.db) };
  const worker = startMatchWorker({
    connection: deps.redis,
    prefix: deps.config.QUEUE_PREFIX,
    log: deps.log,
    concurrency: deps.config.WORKER_CONCURRENCY,
    handlers: {
      created: matchCreatedHandler(ctx),
      finished: matchFinishedHandler(ctx),
      guildCreated: matchGuildCreatedHandler(ctx),
      guildFinished: matchGuildFinishedHandler(ctx),
    },
  });
  const maintenance = startMaintenanceWorker({
    connection: deps.redis,
    prefix: deps.config.QUEUE_PREFIX,
    log: deps.log,
    sweep: (log) => runSweep(ctx, log),
  });
  // Idempotent: every copy upserts the same scheduler at start.
  await deps.queues.maintenance.upsertJobScheduler(
    MAINTENANCE_JOBS.sweep,
    { every: deps.config.SWEEP_INTERVAL_MS },
    { name: MAINTENANCE_JOBS.sweep, data: { reason: 'scheduled' } },
  );
  // Accepted webhooks wait in the intake stream until a relay (one per worker copy) adds their jobs.
  const relay = new IntakeRelay({
    connection: deps.redis,
    prefix: deps.config.QUEUE_PREFIX,
    queue: deps.queues.matches,
    log: deps.log,
    onRelayed: (relayed, invalid) => {
      deps.metrics.intakeRelayed.inc({ outcome: 'relayed' }, relayed);
      deps.metrics.intakeRelayed.inc({ outcome: 'invalid' }, invalid);
    },
  });
  relay.start();
  const stopLateJoin = listenForLateJoiners(ctx, deps.log);
  await Promise.all([worker.waitUntilReady(), maintenance.waitUntilReady()]);
  return {
    name: 'matches',
    workers: [worker, maintenance],
    close: async () => {
      stopLateJoin();
      await Promise.all([relay.close(), worker.close(), maintenance.close()]);
    },
  };
}
