// Long rate-limit waits do not stall the bridge: a channel create facing a long (sublimit) 429 is
// rescheduled instead of sleeping in a job slot, and cleanup of another match goes on meanwhile; a
// clean-up has slots of its own, so it runs even while every set-up slot waits for Discord.
import type { Queue } from 'bullmq';
import { describe, expect } from 'vitest';
import {
  deliveredJobId,
  failedJobs,
  seedLinkedPlayers,
  stackTest,
  waitFor,
  waitForChannels,
  waitForNoChannels,
  withQueue,
} from './matches-helpers.ts';

// Two slots: without rescheduling, the two stalled creates would hold both.
const test = stackTest({ workers: 1, workerEnv: { WORKER_CONCURRENCY: '2' } });

describe('a long Discord rate limit on channel create', () => {
  test('reschedules the creates, lets another match finish meanwhile, and counts the 429s', async ({
    stack,
  }) => {
    const players = await seedLinkedPlayers(stack, 'rl', 6);
    const match = (i: number) =>
      stack.faceit.seedMatch({
        faction1: [players[2 * i]!.faceitId],
        faction2: [players[2 * i + 1]!.faceitId],
      });
    const live = match(0);
    await stack.faceit.play(stack.webhook, live.id, ['match_status_ready']);
    await waitForChannels(stack, live.id);

    // Every create now meets a sublimit: 429, X-RateLimit-Remaining > 0, Retry-After 8 s.
    stack.discord.setFault({ route: 'POST /guilds/:guild/channels', kind: 'sublimit', retryAfter: 8 });
    const [b, c] = [match(1), match(2)];
    await stack.faceit.play(stack.webhook, b.id, ['match_status_ready']);
    await stack.faceit.play(stack.webhook, c.id, ['match_status_ready']);
    const worker = stack.workers[0]!;
    await worker.waitForLine(
      (l) => l.msg === 'Discord rate limit would hold this job: rescheduled' && l.matchId === b.id,
      'create of b rescheduled',
    );
    await withQueue(stack, 'matches', async (queue) => {
      expect(
        await (await queue.getJob(deliveredJobId(stack.faceit, b.id, 'match_status_ready')))?.isDelayed(),
      ).toBe(true);

      // The live match finishes while the creates are held back: its cleanup does not wait for them.
      const t0 = Date.now();
      await stack.faceit.play(stack.webhook, live.id, ['match_status_finished']);
      await waitForNoChannels(stack, live.id, 6_000);
      expect(Date.now() - t0).toBeLessThan(6_000);

      // Counted from the REST responses (discord.js emits no rateLimited event for a sublimit).
      const port = (await worker.waitForLine((l) => l.msg === 'metrics and health listening', 'port'))
        .metricsPort;
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const line = metrics
        .split('\n')
        .find((l) => l.startsWith('bridge_discord_429_total{') && /route="\/guilds\/:id\/channels"/.test(l));
      expect(line).toMatch(/scope="user"/);
      expect(Number(line?.split(' ').pop())).toBeGreaterThanOrEqual(1);
      // And the jobs it put back, as a rate limit (seconds), not the daily cap (hours).
      const deferred = metrics
        .split('\n')
        .find(
          (l) => l.startsWith('bridge_jobs_deferred_total{') && /route="\/guilds\/:id\/channels"/.test(l),
        );
      expect(deferred).toMatch(/queue="matches"/);
      expect(deferred).toMatch(/cause="rate_limit"/);
      expect(Number(deferred?.split(' ').pop())).toBeGreaterThanOrEqual(1);

      // Once Discord lets creates through again, the rescheduled matches get their channels.
      stack.discord.clearFaults();
      await waitForChannels(stack, b.id, 30_000);
      await waitForChannels(stack, c.id, 30_000);
      const failed = await queue.getJobCounts('failed');
      expect(failed.failed).toBe(0);
    });
  });
});

describe('a match finishing while every set-up slot is busy', () => {
  test('is cleaned up at once, and no create is turned away to make room for it', async ({ stack }) => {
    const create = 'POST /guilds/:guild/channels';
    const players = await seedLinkedPlayers(stack, 'busy', 6);
    const match = (i: number) =>
      stack.faceit.seedMatch({
        faction1: [players[2 * i]!.faceitId],
        faction2: [players[2 * i + 1]!.faceitId],
      });
    const live = match(0);
    await stack.faceit.play(stack.webhook, live.id, ['match_status_ready']);
    await waitForChannels(stack, live.id);

    // Discord takes 30 s to answer each create: both set-up jobs hold their slot (of two) meanwhile.
    stack.discord.setLatency(create, 30_000);
    const [b, c] = [match(1), match(2)];
    try {
      await stack.faceit.play(stack.webhook, b.id, ['match_status_ready']);
      await stack.faceit.play(stack.webhook, c.id, ['match_status_ready']);
      const setups = [b, c].map((m) => deliveredJobId(stack.faceit, m.id, 'match_status_ready'));
      const bothActive = (queue: Queue) =>
        Promise.all(setups.map((id) => queue.getJobState(id))).then((s) => s.every((x) => x === 'active'));
      await withQueue(stack, 'matches', (queue) =>
        waitFor(() => bothActive(queue), { what: 'both set-up jobs running at once', timeoutMs: 30_000 }),
      );
      await stack.faceit.play(stack.webhook, live.id, ['match_status_finished']);
      await waitForNoChannels(stack, live.id, 30_000);
      // Done while both creates were still with Discord: the clean-up had a slot of its own.
      expect(await withQueue(stack, 'matches', bothActive)).toBe(true);
    } finally {
      stack.discord.setLatency(create, 0);
    }
    await waitForChannels(stack, b.id, 90_000);
    await waitForChannels(stack, c.id, 90_000);
    expect(await failedJobs(stack)).toBe(0);
  }, 180_000);
});
