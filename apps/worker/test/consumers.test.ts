import {
  attemptsLeft,
  createLogger,
  createMetrics,
  createQueues,
  createWorkerRedis,
  type JobHandler,
  type JobHandlers,
} from '@bridge/core';
import { REDIS_URL, waitFor } from '@bridge/testbed';
import { redisTest } from '@bridge/testbed/fixtures';
import { UnrecoverableError, type Worker } from 'bullmq';
import { expect } from 'vitest';
import { startConsumers } from '../src/consumers/index.ts';

const matchData = {
  matchId: '1-aaaa',
  event: 'match_status_ready',
  eventId: 'e1',
  transactionId: 't1',
  retryCount: 0,
  payloadVersion: 1,
  occurredAt: new Date().toISOString(),
  receivedAt: new Date().toISOString(),
};

/** The worker's consumers on the test's own prefix, with handlers that record what they were given. */
function consumersAt(prefix: string, handlers: JobHandlers) {
  const connection = createWorkerRedis(REDIS_URL);
  const producer = createWorkerRedis(REDIS_URL);
  const metrics = createMetrics('worker');
  const log = createLogger({ name: 'consumers-test', level: 'silent' });
  const workers: Worker[] = startConsumers({ connection, prefix, log, metrics, concurrency: 2 }, handlers);
  const queues = createQueues(producer, prefix);
  return {
    queues,
    linkAttempts: metrics.linkAttempts,
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(Object.values(queues).map((q) => q.close()));
      connection.disconnect();
      producer.disconnect();
    },
  };
}

const none: JobHandler<unknown> = async () => ({ status: 'ok' });
const noHandlers: JobHandlers = {
  matches: { matchCreated: none, matchGuildCreated: none, matchDemoReady: none },
  cleanup: { matchFinished: none, matchGuildFinished: none },
  links: { linkAccount: none },
  maintenance: { sweep: none },
};

redisTest(
  'every queue fails an unknown job name and invalid data at once, naming them',
  async ({ prefix }) => {
    const ran: string[] = [];
    const recording: JobHandler<unknown> = async (_data, { job }) => {
      ran.push(job.name);
      return { status: 'ok' };
    };
    const at = consumersAt(prefix, {
      matches: { matchCreated: recording, matchGuildCreated: recording, matchDemoReady: recording },
      cleanup: { matchFinished: recording, matchGuildFinished: recording },
      links: { linkAccount: recording },
      maintenance: { sweep: recording },
    });
    try {
      for (const queue of Object.values(at.queues)) {
        const unknown = await queue.add('noSuchJob', {}, { attempts: 5 });
        const invalid = await queue.add(Object.keys(noHandlers[queue.name as keyof JobHandlers])[0]!, {
          nope: true,
        });
        for (const job of [unknown, invalid]) {
          await waitFor(async () => (await queue.getJobState(job.id!)) === 'failed', {
            what: `${queue.name} ${job.name} failed`,
            timeoutMs: 30_000,
          });
        }
        const failedUnknown = await queue.getJob(unknown.id!);
        expect(failedUnknown?.failedReason).toBe(`unknown job name noSuchJob on queue ${queue.name}`);
        expect(failedUnknown?.attemptsMade).toBe(1);
        expect((await queue.getJob(invalid.id!))?.failedReason).toMatch(/^invalid \w+ data: /);
      }
      expect(ran).toEqual([]);

      // A job on the other match queue's name is unknown there: set-up and clean-up have a queue each.
      const misplaced = await at.queues.matches.add('matchFinished', matchData);
      await waitFor(async () => (await at.queues.matches.getJobState(misplaced.id!)) === 'failed', {
        what: 'matchFinished on the set-up queue failed',
        timeoutMs: 30_000,
      });
      const done = await at.queues.cleanup.add('matchFinished', matchData);
      await waitFor(async () => (await at.queues.cleanup.getJobState(done.id!)) === 'completed', {
        what: 'valid matchFinished completed',
        timeoutMs: 30_000,
      });
      expect(ran).toEqual(['matchFinished']);
    } finally {
      await at.close();
    }
  },
);

redisTest(
  'a handler sees how many attempts are left; a link failing for good is counted once',
  async ({ prefix }) => {
    const left: number[] = [];
    const at = consumersAt(prefix, {
      ...noHandlers,
      links: {
        linkAccount: async (_data, { job }) => {
          left.push(attemptsLeft(job));
          throw new Error('faceit_unavailable: down');
        },
      },
    });
    try {
      const job = await at.queues.links.add(
        'linkAccount',
        { ticket: 'x'.repeat(16), discordUserId: '1' },
        { attempts: 3, backoff: { type: 'fixed', delay: 10 } },
      );
      await waitFor(async () => (await at.queues.links.getJobState(job.id!)) === 'failed', {
        what: 'link job failed for good',
        timeoutMs: 30_000,
      });
      expect(left).toEqual([2, 1, 0]);
      // The metric follows BullMQ's 'failed' event, which may come just after the state changed.
      const failures = async () => (await at.linkAttempts.get()).values;
      await waitFor(async () => (await failures()).length > 0, { what: 'link failure counted' });
      expect(await failures()).toEqual([{ labels: { method: 'oauth', outcome: 'failed' }, value: 1 }]);
    } finally {
      await at.close();
    }
  },
);

redisTest(
  'a link FACEIT refuses for the OAuth client is counted as misconfigured (what the operators are alerted on)',
  async ({ prefix }) => {
    const at = consumersAt(prefix, {
      ...noHandlers,
      links: {
        linkAccount: async () => {
          throw new UnrecoverableError(
            'misconfigured: FACEIT answered invalid_client; check FACEIT_CLIENT_ID',
          );
        },
      },
    });
    try {
      const job = await at.queues.links.add('linkAccount', { ticket: 'y'.repeat(16), discordUserId: '2' });
      await waitFor(async () => (await at.queues.links.getJobState(job.id!)) === 'failed', {
        what: 'link job failed',
        timeoutMs: 30_000,
      });
      const counted = async () => (await at.linkAttempts.get()).values;
      await waitFor(async () => (await counted()).length > 0, { what: 'link failure counted' });
      expect(await counted()).toEqual([{ labels: { method: 'oauth', outcome: 'misconfigured' }, value: 1 }]);
    } finally {
      await at.close();
    }
  },
);

// The compiler checks the handler map against the catalog (typecheck fails if this compiles).
export const _missing: JobHandlers = {
  matches: { matchCreated: none, matchGuildCreated: none, matchDemoReady: none },
  // @ts-expect-error: matchFinished and matchGuildFinished have no handler.
  cleanup: {},
  links: { linkAccount: none },
  maintenance: { sweep: none },
};
