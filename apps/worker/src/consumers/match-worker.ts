import {
  type Logger,
  MATCH_JOBS,
  type MatchGuildCreatedData,
  type MatchGuildFinishedData,
  type MatchJobData,
  matchGuildCreatedSchema,
  matchGuildFinishedSchema,
  matchJobSchema,
  QUEUES,
  WORKER_STALL_OPTIONS,
} from '@bridge/core';
import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import { RateLimitError } from 'discord.js';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { JobHandler } from '../jobs/types.ts';

export interface MatchWorkerDeps {
  connection: Redis;
  prefix: string;
  log: Logger;
  concurrency?: number;
  handlers: {
    created: JobHandler<MatchJobData>;
    finished: JobHandler<MatchJobData>;
    guildCreated: JobHandler<MatchGuildCreatedData>;
    guildFinished: JobHandler<MatchGuildFinishedData>;
  };
}

/** A job's data, parsed with its name's schema, bound to its handler. */
type Parsed =
  | { ok: true; data: MatchJobData & { guildId?: string }; run: JobHandler<null> }
  | { ok: false; issues: z.core.$ZodIssue[] };

interface Route {
  /** Builds channels (counts against the create slots) rather than cleaning up. */
  create: boolean;
  parse(data: unknown): Parsed;
}

function route<D extends MatchJobData>(schema: z.ZodType<D>, handler: JobHandler<D>, create: boolean): Route {
  return {
    create,
    parse: (data) => {
      const r = schema.safeParse(data);
      if (!r.success) return { ok: false, issues: r.error.issues };
      return { ok: true, data: r.data, run: (_, ctx) => handler(r.data, ctx) };
    },
  };
}

/** A rate-limited create is retried when Discord allows it, but at least this often (the daily cap is 24 h). */
const MAX_RATE_LIMIT_DELAY_MS = 10 * 60_000;
/** A create over its share of the slots waits this long (plus jitter) in the delayed set, not in a slot. */
const SLOT_RETRY_MS = 250;

/**
 * Consumes queue `matches`: validates each job with the shared schema, then runs its handler.
 * Cleanup (`matchFinished`) never waits behind creates: creates may use only `concurrency - reserved`
 * slots (a create beyond that goes back to the delayed set for a moment), and a create that would wait
 * long for a Discord rate limit is rescheduled for when Discord allows it instead of sleeping in a slot.
 */
export function startMatchWorker(deps: MatchWorkerDeps): Worker {
  const concurrency = deps.concurrency ?? 8;
  const createSlots = Math.max(1, concurrency - Math.max(1, Math.floor(concurrency / 4)));
  let creating = 0;
  const h = deps.handlers;
  const routes: Record<string, Route> = {
    [MATCH_JOBS.created]: route(matchJobSchema, h.created, true),
    [MATCH_JOBS.finished]: route(matchJobSchema, h.finished, false),
    [MATCH_JOBS.guildCreated]: route(matchGuildCreatedSchema, h.guildCreated, true),
    [MATCH_JOBS.guildFinished]: route(matchGuildFinishedSchema, h.guildFinished, false),
  };
  const processor = async (job: Job, token?: string) => {
    const log = deps.log.child({ jobId: job.id, job: job.name, attempt: job.attemptsMade + 1 });
    const found = Object.hasOwn(routes, job.name) ? routes[job.name] : undefined;
    if (!found) throw new UnrecoverableError(`unknown job name ${job.name} on queue ${QUEUES.matches}`);
    const parsed = found.parse(job.data);
    if (!parsed.ok) {
      log.error({ issues: parsed.issues }, 'job data fails the matches schema');
      throw new UnrecoverableError(`invalid ${job.name} data: ${parsed.issues[0]?.message}`);
    }
    const jobLog = log.child({
      matchId: parsed.data.matchId,
      event: parsed.data.event,
      eventId: parsed.data.eventId,
      ...(parsed.data.guildId ? { guildId: parsed.data.guildId } : {}),
    });
    const isCreate = found.create;
    if (isCreate && creating >= createSlots) {
      await job.moveToDelayed(Date.now() + SLOT_RETRY_MS + Math.random() * SLOT_RETRY_MS, token);
      throw new DelayedError();
    }
    if (isCreate) creating++;
    try {
      const result = await parsed.run(null, { job, log: jobLog });
      jobLog.info({ result }, 'job done');
      return result;
    } catch (err) {
      if (err instanceof RateLimitError) {
        const waitMs = Math.max(err.retryAfter, err.sublimitTimeout, err.timeToReset);
        const delayMs = Math.min(MAX_RATE_LIMIT_DELAY_MS, waitMs) + Math.random() * 1000;
        jobLog.warn(
          { route: err.route, retryAfterMs: waitMs, delayMs: Math.round(delayMs) },
          'Discord rate limit would hold this job: rescheduled',
        );
        await job.moveToDelayed(Date.now() + delayMs, token);
        throw new DelayedError();
      }
      // Logged here so the line carries matchId/eventId/jobId.
      jobLog.warn({ err: (err as Error).message }, 'job attempt failed');
      throw err;
    } finally {
      if (isCreate) creating--;
    }
  };
  const worker = new Worker(QUEUES.matches, processor, {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency,
    // A killed copy's job is picked up by another within ~15 s, however often that happens.
    ...WORKER_STALL_OPTIONS,
  });
  worker.on('error', (err) => deps.log.error({ err }, 'matches worker error'));
  worker.on('stalled', (jobId) =>
    deps.log.warn({ jobId, queue: worker.name }, 'job stalled (its worker copy stopped): back in the queue'),
  );
  worker.on('failed', (job, err) =>
    deps.log.warn(
      { jobId: job?.id, job: job?.name, attempts: job?.attemptsMade, err: err.message },
      'job failed',
    ),
  );
  return worker;
}
