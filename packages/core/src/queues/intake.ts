import type { Redis } from 'ioredis';
import { z } from 'zod';
import { MATCH_JOBS, type MatchJobData, type MatchJobName, matchJobSchema } from './contracts.ts';

/**
 * The webhook intake: a Redis stream the API appends accepted match events to, which the workers'
 * relay turns into `matches` jobs (intake-relay.ts).
 *
 * Why not `queue.add` in the API: a BullMQ add is a large Lua script (about 35 µs of Redis CPU here)
 * plus its client-side encoding, which cost the API most of its throughput; an XADD costs a few µs and,
 * auto-pipelined, many requests share one round trip. The stream is as durable as the queue (same
 * Redis), and an entry leaves it only after its job was added, so nothing answered 202 is lost.
 */
export const intakeKey = (prefix: string) => `${prefix}:intake:matches`;

/** One stream entry: the job the relay will add, exactly as the API would have added it. */
export const intakeEntrySchema = z.object({
  name: z.enum([MATCH_JOBS.created, MATCH_JOBS.finished]),
  jobId: z.string().min(1),
  data: matchJobSchema,
});
export type IntakeEntry = { name: MatchJobName; jobId: string; data: MatchJobData };

/** The stream entry's only field. */
export const INTAKE_FIELD = 'job';

export interface Intake {
  /** Appends one entry; resolves once Redis has it. */
  push(entry: IntakeEntry): Promise<void>;
  /** Entries accepted but not yet turned into jobs (the relay deletes what it has added). */
  backlog(): Promise<number>;
}

export function createIntake(redis: Redis, prefix: string): Intake {
  const key = intakeKey(prefix);
  return {
    // The producer connection auto-pipelines: concurrent requests' XADDs share one write.
    push: async (entry) => {
      await redis.xadd(key, '*', INTAKE_FIELD, JSON.stringify(entry));
    },
    backlog: () => redis.xlen(key),
  };
}
