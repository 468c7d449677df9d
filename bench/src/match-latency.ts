import { startStack } from '@bridge/testbed';
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
    await oneMatchAtATime(stack, opts.matches, async (seeded, m) => {
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
    };
  } finally {
    await stack.stop();
  }
}
