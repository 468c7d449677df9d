// Deployment-wide gauges are exported by one copy: the holder of a short lease in Redis. Three copies read
// the same queues; the scrapes of all three together carry each value once, and when the reporter stops or
// dies another copy takes over.
import { redisTest } from '@bridge/testbed/fixtures';
import { describe, expect, it } from 'vitest';
import { createMetrics, type ReporterLease, startReporterLease, type WorkerHealth } from '../src/index.ts';

/** The samples of `name` in a Prometheus text exposition, without HELP/TYPE lines. */
function samples(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

const queue = (name: string, waiting: number) => ({
  name,
  getJobCounts: async () => ({ waiting, failed: 1 }),
});

function copy(lease: ReporterLease, backlog: number) {
  return createMetrics('worker', {
    queues: [queue('matches', 7)],
    intakeBacklog: async () => backlog,
    activeMatches: async () => 3,
    reports: () => lease.holds(),
    groups: ['queues'],
  });
}

describe('the reporter lease', () => {
  redisTest(
    'of three copies exactly one exports the global gauges; its stop hands them to another',
    async ({ prefix, connect }) => {
      const leases = ['a', 'b', 'c'].map((id) =>
        startReporterLease(connect(), prefix, 'queues', { ttlMs: 6000, copyId: id }),
      );
      try {
        await Promise.all(leases.map((l) => l.ready));
        const copies = leases.map((l) => copy(l, 42));
        const scrape = async () => Promise.all(copies.map((m) => m.registry.metrics()));
        const texts = await scrape();
        expect(texts.flatMap((t) => samples(t, 'bridge_intake_backlog'))).toEqual([
          'bridge_intake_backlog{app="worker"} 42',
        ]);
        expect(texts.flatMap((t) => samples(t, 'bridge_queue_jobs'))).toEqual([
          'bridge_queue_jobs{queue="matches",state="waiting",app="worker"} 7',
          'bridge_queue_jobs{queue="matches",state="failed",app="worker"} 1',
        ]);
        // Each copy says whether it reports.
        expect(texts.flatMap((t) => samples(t, 'bridge_metrics_reporter')).sort()).toEqual([
          'bridge_metrics_reporter{group="queues",app="worker"} 0',
          'bridge_metrics_reporter{group="queues",app="worker"} 0',
          'bridge_metrics_reporter{group="queues",app="worker"} 1',
        ]);

        const first = leases.findIndex((l) => l.holds());
        await leases[first]!.stop();
        const others = leases.filter((_, i) => i !== first);
        await expect.poll(() => others.filter((l) => l.holds()).length, { timeout: 10_000 }).toBe(1);
        const after = await scrape();
        expect(after.flatMap((t) => samples(t, 'bridge_intake_backlog'))).toHaveLength(1);
      } finally {
        await Promise.all(leases.map((l) => l.stop()));
      }
    },
  );

  redisTest(
    'a reporter that dies (stops renewing) is replaced once its lease lapses',
    async ({ prefix, connect }) => {
      const dying = connect();
      const a = startReporterLease(dying, prefix, 'worker', { ttlMs: 3000, copyId: 'a' });
      await a.ready;
      const b = startReporterLease(connect(), prefix, 'worker', { ttlMs: 3000, copyId: 'b' });
      try {
        await b.ready;
        expect([a.holds(), b.holds()]).toEqual([true, false]);
        // The connection goes away without a release: as a SIGKILLed copy's would.
        dying.disconnect();
        await expect.poll(() => [a.holds(), b.holds()], { timeout: 10_000 }).toEqual([false, true]);
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
    },
  );
});

describe('gauges read at scrape time', () => {
  it('a read that fails or hangs exports nothing rather than 0 or a hung scrape', async () => {
    const metrics = createMetrics('worker', {
      activeMatches: () => Promise.reject(new Error('database down')),
      intakeBacklog: () => new Promise<number>(() => {}),
    });
    const started = Date.now();
    const text = await metrics.registry.metrics();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(samples(text, 'bridge_active_matches')).toEqual([]);
    expect(samples(text, 'bridge_intake_backlog')).toEqual([]);
    expect(text).toContain('# TYPE bridge_active_matches gauge');
  });

  it('the IDENTIFY budget is exported once read (from Discord or noted before an IDENTIFY), never as 0 before', async () => {
    let reads = 0;
    let remaining = 990;
    const metrics = createMetrics('worker', {
      identifyBudget: async () => {
        reads++;
        return remaining;
      },
    });
    expect(samples(await metrics.registry.metrics(), 'bridge_gateway_identify_remaining')).toEqual([
      'bridge_gateway_identify_remaining{app="worker"} 990',
    ]);
    // Read at most once a minute: the next scrape uses the value read, or one noted meanwhile.
    remaining = 5;
    metrics.identifyBudget.note(989);
    expect(samples(await metrics.registry.metrics(), 'bridge_gateway_identify_remaining')).toEqual([
      'bridge_gateway_identify_remaining{app="worker"} 989',
    ]);
    expect(reads).toBe(1);

    const unread = createMetrics('worker', { identifyBudget: () => Promise.reject(new Error('401')) });
    expect(samples(await unread.registry.metrics(), 'bridge_gateway_identify_remaining')).toEqual([]);
  });

  it('worker health: ready 1/0 and the problem code as a label', async () => {
    let health: WorkerHealth = { ok: false, reason: 'guild: the bot is not in guild …', code: 'guild' };
    const metrics = createMetrics('worker', { health: () => health });
    let text = await metrics.registry.metrics();
    expect(samples(text, 'bridge_worker_ready')).toEqual(['bridge_worker_ready{app="worker"} 0']);
    expect(samples(text, 'bridge_worker_problem')).toEqual([
      'bridge_worker_problem{reason="guild",app="worker"} 1',
    ]);
    health = { ok: true };
    text = await metrics.registry.metrics();
    expect(samples(text, 'bridge_worker_ready')).toEqual(['bridge_worker_ready{app="worker"} 1']);
    expect(samples(text, 'bridge_worker_problem')).toEqual([]);
  });
});
