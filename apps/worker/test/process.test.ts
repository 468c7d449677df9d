import { join } from 'node:path';
import { createProducerRedis, createQueue, QUEUES } from '@bridge/core';
import { cleanupPrefix, startAppProcess, testPrefix, waitFor } from '@bridge/testbed';
import { afterAll, describe, expect, it } from 'vitest';

const entry = join(import.meta.dirname, '../src/main.ts');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = testPrefix('worker');

const env = {
  REDIS_URL,
  QUEUE_PREFIX: prefix,
  SUPABASE_URL: 'http://127.0.0.1:1',
  SUPABASE_SERVICE_ROLE_KEY: 'service-role-key-xxxxxxxxxxxx',
  DISCORD_TOKEN: 'discord-token-value',
  DISCORD_GUILD_ID: '111111111111111111',
  FACEIT_API_KEY: 'faceit-api-key',
  FACEIT_CLIENT_ID: 'client',
  FACEIT_CLIENT_SECRET: 'client-secret-value',
  FACEIT_REDIRECT_URI: 'http://127.0.0.1:3000/faceit/callback',
};

afterAll(async () => {
  await cleanupPrefix(REDIS_URL, prefix);
});

describe('worker process', () => {
  it('refuses to start with bad configuration, one line per problem, no secret echoed', async () => {
    const proc = startAppProcess(entry, {
      ...env,
      DISCORD_GUILD_ID: 'nope',
      DISCORD_TOKEN: '',
      FACEIT_CLIENT_SECRET: 'x',
    });
    expect(await proc.exited).toBe(1);
    const err = proc.stderr.join('');
    expect(err).toMatch(/^worker: DISCORD_GUILD_ID: must be a Discord id/m);
    expect(err).toMatch(/^worker: DISCORD_TOKEN: is required but not set/m);
    expect(err).toMatch(/^worker: FACEIT_CLIENT_SECRET: must be at least 8 characters/m);
    expect(err).not.toContain('nope');
  });
});

describe('worker process: matches queue', () => {
  it('validates and processes jobs, fails invalid ones without retry, and exits 0 on SIGTERM', async () => {
    const redis = createProducerRedis(REDIS_URL);
    const queue = createQueue(QUEUES.matches, redis, prefix);
    const proc = startAppProcess(entry, env);
    try {
      await proc.waitForLine((l) => l.msg === 'worker ready', 'worker ready');
      const good = await queue.add(
        'matchCreated',
        {
          matchId: '1-d785567a-fd28-42a4-af99-6b3cec21c6a9',
          event: 'match_status_ready',
          eventId: 'e1',
          transactionId: 't1',
          retryCount: 0,
          payloadVersion: 16,
          occurredAt: '2022-12-09T18:55:38Z',
          receivedAt: new Date().toISOString(),
        },
        { jobId: 'match_status_ready-1-d785567a-fd28-42a4-af99-6b3cec21c6a9' },
      );
      const bad = await queue.add('matchCreated', { matchId: 'x' }, { jobId: 'bad-job', attempts: 5 });
      await waitFor(async () => (await good.isCompleted()) && (await bad.isFailed()), {
        what: 'jobs settled',
      });
      const failed = await queue.getJob('bad-job');
      expect(failed?.attemptsMade).toBe(1);
      expect(failed?.failedReason).toMatch(/invalid matchCreated data/);
      const line = proc.lines.find((l) => l.msg === 'matchCreated received');
      expect(line).toMatchObject({
        matchId: '1-d785567a-fd28-42a4-af99-6b3cec21c6a9',
        eventId: 'e1',
        jobId: good.id,
      });
    } finally {
      expect(await proc.kill('SIGTERM')).toBe(0);
      await queue.close();
      redis.disconnect();
    }
  });
});
