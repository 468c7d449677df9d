import type { DefaultJobOptions, Job } from 'bullmq';
import type { z } from 'zod';
import type { MatchEvent } from '../faceit/webhook.ts';
import type { Logger } from '../logger.ts';
import {
  jobNameForEvent,
  LINK_JOBS,
  linkJobSchema,
  MAINTENANCE_JOBS,
  MATCH_JOBS,
  matchGuildCreatedSchema,
  matchGuildFinishedSchema,
  matchJobSchema,
  sweepJobSchema,
} from './contracts.ts';

// Completed jobs are kept for a day so their ids keep deduplicating redeliveries that long.
const keep = { removeOnComplete: { age: 24 * 3600, count: 50_000 }, removeOnFail: { age: 7 * 24 * 3600 } };

/**
 * Every queue of the bridge: the jobs it carries (name → data schema) and its retry policy. The queue
 * names, their default job options, the producers' queues (createQueues) and the worker's consumers and
 * handler map (JobHandlers) are all derived from it: a job added here without a handler does not compile,
 * and one processor serves every queue from it.
 */
export const JOB_CATALOG = {
  matches: {
    jobs: {
      [MATCH_JOBS.created]: matchJobSchema,
      [MATCH_JOBS.guildCreated]: matchGuildCreatedSchema,
      [MATCH_JOBS.demoReady]: matchJobSchema,
    },
    options: { attempts: 10, backoff: { type: 'exponential', delay: 1000, jitter: 0.2 }, ...keep },
  },
  // Its own queue, so clean-up has worker slots of its own (queueForEvent says why).
  cleanup: {
    jobs: { [MATCH_JOBS.finished]: matchJobSchema, [MATCH_JOBS.guildFinished]: matchGuildFinishedSchema },
    options: { attempts: 10, backoff: { type: 'exponential', delay: 1000, jitter: 0.2 }, ...keep },
  },
  links: {
    jobs: { [LINK_JOBS.link]: linkJobSchema },
    // Kept briefly: a link job names a Discord user, and nothing deduplicates by its (random) id.
    options: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 24 * 3600 },
    },
  },
  maintenance: {
    jobs: { [MAINTENANCE_JOBS.sweep]: sweepJobSchema },
    options: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
  },
} as const satisfies Record<string, { jobs: Record<string, z.ZodType>; options: DefaultJobOptions }>;

type Catalog = typeof JOB_CATALOG;
/** The bridge's queues (BullMQ queue names). */
export type QueueName = keyof Catalog;
/** The queue names, in the catalog's order. */
export const QUEUE_NAMES = Object.keys(JOB_CATALOG) as QueueName[];
/** Each queue's name, for code that names one queue: `QUEUES.links`. */
export const QUEUES = Object.fromEntries(QUEUE_NAMES.map((q) => [q, q])) as { readonly [Q in QueueName]: Q };
/** The queues of match events: set-up (`matchCreated`) and clean-up (`matchFinished`). */
export type MatchQueueName = typeof QUEUES.matches | typeof QUEUES.cleanup;

/**
 * The queue of a match event's job. Clean-up has a queue of its own so that it has worker slots of its
 * own: a BullMQ worker takes whichever job its queue hands it next, so on one queue a finishing match
 * could wait for a slot behind creates held up by Discord's rate limits.
 */
export function queueForEvent(event: MatchEvent): MatchQueueName {
  return jobNameForEvent(event) === MATCH_JOBS.finished ? QUEUES.cleanup : QUEUES.matches;
}
/** The job names of queue Q. */
export type JobName<Q extends QueueName> = keyof Catalog[Q]['jobs'] & string;
/** The validated data of job J of queue Q. */
export type JobData<Q extends QueueName, J extends JobName<Q>> = z.infer<Catalog[Q]['jobs'][J]>;
/** The data of any job of queue Q. */
export type QueueJobData<Q extends QueueName> = JobData<Q, JobName<Q>>;

/** A job handler: validated data in, dependencies passed in (when built), a JSON-able result out. */
export type JobHandler<D, R = unknown> = (data: D, ctx: { job: Job; log: Logger }) => Promise<R>;
/** One handler per job of queue Q. */
export type QueueHandlers<Q extends QueueName> = { [J in JobName<Q>]: JobHandler<JobData<Q, J>> };
/** One handler per job of every queue: what the worker must provide. */
export type JobHandlers = { [Q in QueueName]: QueueHandlers<Q> };

/** Default job options (retry policy, retention) of each queue; producers add with these. */
export const DEFAULT_JOB_OPTIONS = Object.fromEntries(
  QUEUE_NAMES.map((q) => [q, JOB_CATALOG[q].options]),
) as Record<QueueName, DefaultJobOptions>;

/** The schema of job `name` on `queue`, or undefined when the catalog has no such job. */
export function jobSchema(queue: QueueName, name: string): z.ZodType | undefined {
  const jobs: Record<string, z.ZodType> = JOB_CATALOG[queue].jobs;
  return Object.hasOwn(jobs, name) ? jobs[name] : undefined;
}

/**
 * How many attempts the job has left after the one running now (0: this is its last). While a job runs,
 * `attemptsMade` counts only the attempts before this one.
 */
export function attemptsLeft(job: Pick<Job, 'attemptsMade' | 'opts'>): number {
  return Math.max(0, (job.opts.attempts ?? 1) - (job.attemptsMade + 1));
}

/**
 * In a worker's `failed` listener: whether the job failed for good (no retry follows). BullMQ sets
 * `finishedOn` only when it moves the job to the failed set: attempts used up, or an UnrecoverableError.
 */
export function failedForGood(job: Pick<Job, 'finishedOn'>): boolean {
  return job.finishedOn !== undefined && job.finishedOn !== null;
}
