import { parseExposition, scrape, startStack, workerMetricsUrl } from '@bridge/testbed';
import { oneMatchAtATime, waitAllIn } from './one-at-a-time.ts';
import { percentile } from './stats.ts';

export interface MatchLatencyResult {
  matches: number;
  faceitLatencyMs: number;
  discordLatencyMs: number;
  criticalPathMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  p95OverCriticalPath: number;
  /** The same matches as measured here, mean, and as the worker's production metric saw them. */
  meanMs: number;
  metric: { name: 'bridge_match_ready_seconds'; observations: number; meanMs: number };
}

/**
 * Webhook sent → both faction channels exist and every in-voice linked player is in their team's
 * channel, with every FACEIT call +100 ms and every Discord call +50 ms. The critical path is the
 * calls that must happen one after another: fetch the match (100), create the first channel (50),
 * then the moves, which share one rate-limit bucket (PATCH /guilds/:guild/members/:user) that
 * Discord — and discord.js's per-bucket queue — serves one at a time (4 × 50). Everything else (the
 * second channel, database calls) can overlap with those.
 */
export async function benchMatchLatency(opts = { matches: 30 }): Promise<MatchLatencyResult> {
  const faceitLatencyMs = 100;
  const discordLatencyMs = 50;
  const stack = await startStack({
    workers: 1,
    discord: { rateLimits: false },
    workerEnv: { LOG_LEVEL: 'info' },
    apiEnv: { LOG_LEVEL: 'warn' },
  });
  try {
    const { discord, faceit } = stack;
    discord.setLatency('*', discordLatencyMs);
    faceit.setLatency('*', faceitLatencyMs);
    const samples: number[] = [];
    // What an operator's Prometheus sees: API received → channels and moves done, per ready event; read
    // after the warm-up match and at the end, so it covers the measured matches only.
    const metricsUrl = await workerMetricsUrl(stack.workers[0]!);
    const readMetric = async () => {
      const exposed = parseExposition(await scrape(metricsUrl));
      const ready = (name: string) =>
        exposed.find((x) => x.name === name && x.labels.event === 'match_status_ready')?.value ?? 0;
      return {
        sum: ready('bridge_match_ready_seconds_sum'),
        count: ready('bridge_match_ready_seconds_count'),
      };
    };
    let before = { sum: 0, count: 0 };
    await oneMatchAtATime(stack, opts.matches, async (seeded, m) => {
      if (m === 0) before = await readMetric();
      const t0 = performance.now();
      const res = await faceit.deliver(
        stack.webhook,
        faceit.buildWebhook(seeded.match.id, 'match_status_ready'),
      );
      if (res.status !== 202) throw new Error(`webhook answered ${res.status}`);
      await waitAllIn(stack, seeded);
      if (m >= 0) samples.push(performance.now() - t0);
    });
    const sorted = [...samples].sort((a, b) => a - b);
    const after = await readMetric();
    const observations = after.count - before.count;
    const movesPerMatch = 4;
    const criticalPathMs = faceitLatencyMs + discordLatencyMs + movesPerMatch * discordLatencyMs;
    const p95 = percentile(sorted, 95);
    return {
      matches: opts.matches,
      faceitLatencyMs,
      discordLatencyMs,
      criticalPathMs,
      p50Ms: Math.round(percentile(sorted, 50)),
      p95Ms: Math.round(p95),
      maxMs: Math.round(sorted.at(-1) ?? 0),
      p95OverCriticalPath: Number((p95 / criticalPathMs).toFixed(2)),
      meanMs: Math.round(samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length)),
      metric: {
        name: 'bridge_match_ready_seconds',
        observations,
        meanMs: Math.round(((after.sum - before.sum) * 1000) / Math.max(1, observations)),
      },
    };
  } finally {
    await stack.stop();
  }
}
