import { createProducerRedis, createQueue, matchJobId, QUEUES } from '@bridge/core';
import { type Stack, startStack, waitFor } from '@bridge/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchChannels, seedLinkedPlayers } from './matches-helpers.ts';

// A bot role without Manage Channels: no retry can fix that, so the job fails at once, saying what to fix.
const VIEW = 1n << 10n;
const CONNECT = 1n << 20n;
const MOVE = 1n << 24n;
const MANAGE_ROLES = 1n << 28n;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    workers: 1,
    guild: { botPermissions: String(VIEW | CONNECT | MOVE | MANAGE_ROLES) },
  });
});
afterAll(async () => {
  await stack?.stop();
});

describe('an unrecoverable Discord error', () => {
  it('fails the job on its first attempt with a message for the operator', async () => {
    const [a, b] = await seedLinkedPlayers(stack, 'perm', 2);
    const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [b!.faceitId] });
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    const redis = createProducerRedis(stack.redisUrl);
    const queue = createQueue(QUEUES.matches, redis, stack.prefix);
    try {
      const jobId = matchJobId(match.id, 'match_status_ready');
      const job = await waitFor(
        async () => {
          // Read the job again once it is failed: a snapshot taken before may predate the failure.
          const j = await queue.getJob(jobId);
          return (await j?.isFailed()) ? await queue.getJob(jobId) : undefined;
        },
        { what: 'job failed' },
      );
      expect(job.attemptsMade).toBe(1);
      expect(job.failedReason).toMatch(/Manage Channels/);
      expect(job.failedReason).toMatch(/50013/);
      expect(matchChannels(stack, match.id)).toHaveLength(0);
    } finally {
      await queue.close();
      redis.disconnect();
    }
  });
});
