import { IntakeRelay, type JobHandlers, MAINTENANCE_JOBS } from '@bridge/core';
import type { FeatureHandle, WorkerDeps } from '../deps.ts';
import { listenForLateJoiners, type VoiceConnect } from '../events/voice-state-update.ts';
import { LiveMembers } from '../gateway/live-members.ts';
import { matchCreatedHandler } from '../jobs/match-created.ts';
import { matchDemoReadyHandler } from '../jobs/match-demo-ready.ts';
import { matchFinishedHandler } from '../jobs/match-finished.ts';
import { matchGuildCreatedHandler, matchGuildFinishedHandler } from '../jobs/match-guild.ts';
import { sweepHandler } from '../jobs/sweep.ts';
import type { MatchContext } from '../matches/match-context.ts';

/**
 * Match voice channels: the handlers of the `matches`, `cleanup` and `maintenance` jobs, the intake relay, late
 * joiners, and the sweep's schedule.
 */
export async function startMatchFeature(
  deps: WorkerDeps,
  /** whether this copy holds the shard of a guild (late joiners: the holder looks first) */
  holds: (guildId: string) => boolean,
): Promise<
  FeatureHandle & {
    handlers: Pick<JobHandlers, 'matches' | 'cleanup' | 'maintenance'>;
    /** a member connected to voice in a guild whose shard this copy holds */
    voiceConnect: (move: VoiceConnect) => void;
  }
> {
  const ctx: MatchContext = deps;
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
    queues: deps.queues,
    log: deps.log,
    onRelayed: (relayed, invalid) => {
      deps.metrics.intakeRelayed.inc({ outcome: 'relayed' }, relayed);
      deps.metrics.intakeRelayed.inc({ outcome: 'invalid' }, invalid);
    },
  });
  relay.start();
  // Who plays where, in memory for the late-join listener: every guild's (a superset of what the shards this
  // copy holds need; its size is the live matches', not the servers').
  const live = new LiveMembers(deps.matches, deps.log);
  const lateJoin = listenForLateJoiners(ctx, live, deps.log, holds);
  await live.listen(deps.redis.duplicate(), deps.config.QUEUE_PREFIX);
  // A database that is down at start must not stop the worker: the periodic reload reads it later.
  void live
    .addShard(0, 1)
    .catch((err: Error) =>
      deps.log.warn({ err: err.message }, 'live members not read; the next reload will'),
    );
  return {
    name: 'matches',
    voiceConnect: lateJoin.connected,
    handlers: {
      matches: {
        matchCreated: matchCreatedHandler(ctx),
        matchGuildCreated: matchGuildCreatedHandler(ctx),
        matchDemoReady: matchDemoReadyHandler(ctx),
      },
      cleanup: {
        matchFinished: matchFinishedHandler(ctx),
        matchGuildFinished: matchGuildFinishedHandler(ctx),
      },
      maintenance: { sweep: sweepHandler(ctx) },
    },
    close: async () => {
      lateJoin.stop();
      live.stop();
      await relay.close();
    },
  };
}
