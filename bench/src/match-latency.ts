import { matchJobId } from '@bridge/core';
import { settledJob, startStack, waitFor } from '@bridge/testbed';
import { seedReadyMatch } from './seed.ts';
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
    const { discord, faceit, guildId } = stack;
    discord.setLatency('*', discordLatencyMs);
    faceit.setLatency('*', faceitLatencyMs);
    const samples: number[] = [];
    // Players wait in the lobby before their match is ready (as in a hub): each match's players connect
    // while the match before it is being cleaned up, not in the measured window. One warm-up match first
    // (not measured: its players connected just before it, and the processes are cold).
    let next = await seedReadyMatch(stack, 0);
    for (let m = -1; m < opts.matches; m++) {
      const { match, people } = next;
      const envelope = faceit.buildWebhook(match.id, 'match_status_ready');
      const t0 = performance.now();
      const res = await faceit.deliver(stack.webhook, envelope);
      if (res.status !== 202) throw new Error(`webhook answered ${res.status}`);
      // Checked at each change of the emulator's state (not polled: a poll read up to its interval late,
      // and its snapshots cost the emulators, which run in this process, CPU).
      await discord.waitForState(
        guildId,
        (s) => {
          const channels = s.channels.filter(
            (c) => c.createdBy === 'bot' && c.type === 'voice' && c.name.includes(match.id.slice(2, 10)),
          );
          if (channels.length !== 2) return undefined;
          const ids = new Set(channels.map((c) => c.id));
          return people.every((p) => ids.has(s.voiceStates[p.discordId] ?? '')) || undefined;
        },
        30_000,
      );
      if (m >= 0) samples.push(performance.now() - t0);
      next = await seedReadyMatch(stack, m + 2);
      // End it so the guild stays small, and wait until its clean-up job is done, so that neither it nor
      // its rate-limit buckets overlap the next match; not measured.
      await faceit.deliver(stack.webhook, faceit.buildWebhook(match.id, 'match_status_finished'));
      await waitFor(
        () => !discord.state(guildId).channels.some((c) => c.createdBy === 'bot' && c.type === 'voice'),
        { what: `match ${m} cleaned up`, timeoutMs: 30_000, intervalMs: 20 },
      );
      await settledJob(stack, 'cleanup', matchJobId(match.id, 'match_status_finished'), 30_000);
    }
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
