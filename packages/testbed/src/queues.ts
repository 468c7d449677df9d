/** Tests read the bridge's queues the way an operator would: open one, look, close it again. */
import {
  createProducerRedis,
  createQueue,
  type MATCH_JOBS,
  type MatchEvent,
  matchGuildJobId,
  matchJobId,
  QUEUES,
} from '@bridge/core';
import type { FaceitEmulator } from '@bridge/sandbox/faceit/index';
import { waitFor } from './wait.ts';

type BridgeQueue = ReturnType<typeof createQueue>;

/** Opens one of the bridge's queues under `at.prefix`, runs `fn` with it, then closes it and its connection. */
export async function withQueue<T>(
  at: { redisUrl: string; prefix: string },
  name: keyof typeof QUEUES,
  fn: (queue: BridgeQueue) => Promise<T>,
): Promise<T> {
  const redis = createProducerRedis(at.redisUrl);
  const queue = createQueue(QUEUES[name], redis, at.prefix);
  try {
    return await fn(queue);
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

/**
 * How many jobs of the queue failed (by default: of both match queues, set-up and clean-up): the
 * end-to-end tests' "nothing went wrong behind the scenes".
 */
export async function failedJobs(
  at: { redisUrl: string; prefix: string },
  name?: keyof typeof QUEUES,
): Promise<number> {
  let failed = 0;
  for (const queue of name ? [name] : (['matches', 'cleanup'] as const)) {
    failed += await withQueue(at, queue, (q) => q.getJobCountByTypes('failed'));
  }
  return failed;
}

/** How a job ended. */
export interface SettledJob {
  state: 'completed' | 'failed';
  failedReason: string | undefined;
  attemptsMade: number;
  /** What its handler answered (completed jobs). */
  result: unknown;
  /** The error of each failed attempt, oldest first (BullMQ keeps their stack traces; the message leads). */
  attemptErrors: string[];
}

/**
 * Waits until the job has completed or failed (a retry is not the end) and answers how it ended, read after
 * it ended: a Job fetched earlier is a snapshot that may predate its failure.
 */
export function settledJob(
  at: { redisUrl: string; prefix: string },
  name: keyof typeof QUEUES,
  jobId: string,
  timeoutMs = 60_000,
): Promise<SettledJob> {
  return waitFor(
    () =>
      withQueue(at, name, async (queue): Promise<SettledJob | undefined> => {
        const state = await queue.getJobState(jobId);
        if (state !== 'completed' && state !== 'failed') return undefined;
        const job = await queue.getJob(jobId);
        if (!job) return undefined;
        const { failedReason, attemptsMade, returnvalue: result, stacktrace } = job;
        return { state, failedReason, attemptsMade, result, attemptErrors: stacktrace ?? [] };
      }),
    { what: `${name} job ${jobId} settled`, timeoutMs },
  );
}

/** The last envelope the emulator delivered for (match, event): what the bridge made a job of. */
function lastDelivered(faceit: Pick<FaceitEmulator, 'deliveries'>, matchId: string, event: MatchEvent) {
  const found = faceit
    .deliveries()
    .findLast((d) => d.envelope.payload.id === matchId && d.event === event)?.envelope;
  if (!found) throw new Error(`no ${event} was delivered for ${matchId}`);
  return found;
}

/** The id of the job the bridge made of the last delivered `event` of the match (FACEIT's version in it). */
export function deliveredJobId(
  faceit: Pick<FaceitEmulator, 'deliveries'>,
  matchId: string,
  event: MatchEvent,
): string {
  return matchJobId(matchId, event, lastDelivered(faceit, matchId, event).payload.version);
}

/** The id of one guild's job for the last delivered `event` of the match. */
export function deliveredGuildJobId(
  faceit: Pick<FaceitEmulator, 'deliveries'>,
  name: typeof MATCH_JOBS.guildCreated | typeof MATCH_JOBS.guildFinished,
  matchId: string,
  event: MatchEvent,
  guildId: string,
): string {
  const payloadVersion = lastDelivered(faceit, matchId, event).payload.version;
  return matchGuildJobId(name, { matchId, event, payloadVersion }, guildId);
}
