// `node bench/profile.ts [matches]`: where a match's latency goes. Runs the match-latency scenario one
// match at a time (FACEIT +100 ms, Discord +50 ms per call, Discord limits off) and prints, per step of
// the worker's log, the median time after the webhook was sent. Not a benchmark: a profile.
import { startStack, waitFor } from '@bridge/testbed';
import { seedReadyMatch } from './src/seed.ts';
import { percentile } from './src/stats.ts';

const matches = Number(process.argv[2] ?? 15);
const stack = await startStack({
  workers: 1,
  discord: { rateLimits: false },
  workerEnv: { LOG_LEVEL: 'debug' },
  apiEnv: { LOG_LEVEL: 'warn' },
});
const steps = new Map<string, number[]>();
const note = (step: string, ms: number) => {
  const list = steps.get(step) ?? [];
  list.push(ms);
  steps.set(step, list);
};
try {
  const { discord, faceit, guildId } = stack;
  discord.setLatency('*', 50);
  faceit.setLatency('*', 100);
  const worker = stack.workers[0]!;
  for (let m = 0; m < matches; m++) {
    const { match } = await seedReadyMatch(stack, m);
    const from = worker.lines.length;
    const t0 = Date.now();
    await faceit.deliver(stack.webhook, faceit.buildWebhook(match.id, 'match_status_ready'));
    note('webhook answered', Date.now() - t0);
    await worker.waitForLine(
      (l) => l.matchId === match.id && l.msg === 'job done',
      `match ${m} done`,
      30_000,
    );
    note('all players in (job done)', Date.now() - t0);
    const seen = new Set<string>();
    for (const l of worker.lines.slice(from)) {
      if (l.matchId !== match.id || typeof l.time !== 'number') continue;
      const key = `${l.msg as string}${l.faction ? ` ${l.faction as string}` : ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      note(key, l.time - t0);
    }
    await faceit.deliver(stack.webhook, faceit.buildWebhook(match.id, 'match_status_finished'));
    await waitFor(
      () => !discord.state(guildId).channels.some((c) => c.createdBy === 'bot' && c.type === 'voice'),
      { what: 'cleaned up', timeoutMs: 30_000, intervalMs: 20 },
    );
  }
} finally {
  await stack.stop();
}
const rows = [...steps.entries()]
  .map(([step, ms]) => ({
    step,
    p50: percentile(
      [...ms].sort((a, b) => a - b),
      50,
    ),
    n: ms.length,
  }))
  .sort((a, b) => a.p50 - b.p50);
for (const r of rows) process.stdout.write(`${String(r.p50).padStart(5)} ms  ${r.step} (n=${r.n})\n`);
