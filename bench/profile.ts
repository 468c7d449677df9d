// `node bench/profile.ts [matches]`: where a match's latency goes. Runs the match-latency scenario one
// match at a time (FACEIT +100 ms, Discord +50 ms per call, Discord limits off) and prints, per step of
// the worker's log, the median and p95 time after the webhook was sent, and the p95 of each step's own
// share (time since the step before it in that match's log), so a tail can be traced to the step that
// adds it. Not a benchmark: a profile.
import { startStack } from '@bridge/testbed';
import { oneMatchAtATime, waitAllIn } from './src/one-at-a-time.ts';
import { percentile } from './src/stats.ts';

const matches = Number(process.argv[2] ?? 15);
const stack = await startStack({
  workers: 1,
  discord: { rateLimits: false },
  workerEnv: { LOG_LEVEL: 'debug' },
  apiEnv: { LOG_LEVEL: 'warn' },
});
const steps = new Map<string, number[]>();
const shares = new Map<string, number[]>();
const add = (to: Map<string, number[]>, step: string, ms: number) => {
  const list = to.get(step) ?? [];
  list.push(ms);
  to.set(step, list);
};
const note = (step: string, ms: number) => add(steps, step, ms);
const noteShare = (step: string, ms: number) => add(shares, step, ms);
try {
  const { discord, faceit } = stack;
  discord.setLatency('*', 50);
  faceit.setLatency('*', 100);
  const worker = stack.workers[0]!;
  await oneMatchAtATime(stack, matches, async (seeded, m) => {
    const { match } = seeded;
    const from = worker.lines.length;
    const t0 = Date.now();
    await faceit.deliver(stack.webhook, faceit.buildWebhook(match.id, 'match_status_ready'));
    if (m < 0) {
      await waitAllIn(stack, seeded); // the warm-up match: not recorded
      return;
    }
    note('webhook answered', Date.now() - t0);
    await waitAllIn(stack, seeded);
    note('ALL IN (what the latency benchmark measures)', Date.now() - t0);
    await worker.waitForLine(
      (l) => l.matchId === match.id && l.msg === 'job done',
      `match ${m} done`,
      30_000,
    );
    note('all players in (job done)', Date.now() - t0);
    // Each step's lines in this match, numbered when a step repeats (moves, Discord answers). Lines
    // without a match id (Discord answers) are this match's too: one match runs at a time.
    const seen = new Map<string, number>();
    const times = new Map<string, number>();
    for (const l of worker.lines.slice(from)) {
      if ((l.matchId !== undefined && l.matchId !== match.id) || typeof l.time !== 'number') continue;
      const what = [l.msg, l.faction, l.method, l.route].filter((v) => typeof v === 'string').join(' ');
      const n = (times.get(what) ?? 0) + 1;
      times.set(what, n);
      seen.set(n > 1 ? `${what} #${n}` : what, l.time - t0);
      if (l.msg === 'job done') break;
    }
    let before = 0;
    for (const [key, ms] of [...seen].sort((a, b) => a[1] - b[1])) {
      note(key, ms);
      noteShare(key, ms - before);
      before = ms;
    }
  });
} finally {
  await stack.stop();
}
const sorted = (ms: number[]) => [...ms].sort((a, b) => a - b);
const rows = [...steps.entries()]
  .map(([step, ms]) => {
    const own = sorted(shares.get(step) ?? []);
    return {
      step,
      p50: percentile(sorted(ms), 50),
      p95: percentile(sorted(ms), 95),
      ownP50: percentile(own, 50),
      ownP95: percentile(own, 95),
      n: ms.length,
    };
  })
  .sort((a, b) => a.p50 - b.p50);
const col = (v: number) => (Number.isNaN(v) ? '-' : String(Math.round(v))).padStart(6);
process.stdout.write(
  '  p50    p95 | own p50 p95 | step (ms after the webhook was sent; own = since the line before)\n',
);
for (const r of rows) {
  process.stdout.write(
    `${col(r.p50)} ${col(r.p95)} | ${col(r.ownP50)} ${col(r.ownP95)} | ${r.step} (n=${r.n})\n`,
  );
}
if (process.env.PROFILE_RAW) {
  for (const step of process.env.PROFILE_RAW.split(',')) {
    process.stdout.write(`${step}: ${sorted(shares.get(step) ?? steps.get(step) ?? []).join(' ')}\n`);
  }
}
