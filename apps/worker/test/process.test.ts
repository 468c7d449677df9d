import { join } from 'node:path';
import {
  cleanupPrefix,
  REDIS_URL,
  startAppProcess,
  startStack,
  testPrefix,
  waitFor,
  withQueue,
} from '@bridge/testbed';
import { afterAll, describe, expect, it } from 'vitest';

const entry = join(import.meta.dirname, '../src/main.ts');
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

describe('worker process against the sandbox', () => {
  it('logs into Discord, consumes the matches queue with validated jobs, and exits 0 on SIGTERM', async () => {
    const stack = await startStack({ workers: 1 });
    try {
      const [worker] = stack.workers;
      const match = stack.faceit.seedMatch({ faction1: [], faction2: [] });
      const [delivered] = await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
      expect(delivered?.status).toBe(202);
      const line = await worker!.waitForLine(
        (l) => l.matchId === match.id && typeof l.jobId === 'string',
        'job log line',
      );
      expect(line).toMatchObject({ event: 'match_status_ready', eventId: delivered?.eventId });

      await withQueue(stack, 'matches', async (queue) => {
        const bad = await queue.add('matchCreated', { matchId: 'x' }, { jobId: 'bad-job', attempts: 5 });
        await waitFor(async () => bad.isFailed(), { what: 'invalid job failed' });
        const failed = await queue.getJob('bad-job');
        expect(failed?.attemptsMade).toBe(1);
        expect(failed?.failedReason).toMatch(/invalid matchCreated data/);
      });

      expect(await worker!.kill('SIGTERM')).toBe(0);
    } finally {
      await stack.stop();
    }
  });
});
