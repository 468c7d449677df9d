import { failedJobs, startStack, waitFor } from '@bridge/testbed';
import { rssMiB } from './stats.ts';

export interface BurstResult {
  matches: number;
  channels: number;
  secondsToAllChannels: number;
  rateLimitsMet: number;
  duplicateChannels: number;
  failedJobs: number;
  discordRequests: number;
  /**
   * Lower bound from the emulated limits: match fetches over FACEIT's 10 req/s per key (which the bridge
   * respects), channel creates over Discord's route limit, all Discord requests over its global limit.
   */
  boundSeconds: number;
  faceitMatchFetches: number;
  limits: { channelCreatesPerSecond: number; globalPerSecond: number; faceitPerSecond: number };
  rssMiB: { api: number; worker: number };
}

/** A tournament round: 100 matches created within one second. */
export async function benchBurst(opts = { matches: 100 }): Promise<BurstResult> {
  const limits = { channelCreatesPerSecond: 50, globalPerSecond: 50, faceitPerSecond: 10 };
  const stack = await startStack({
    workers: 1,
    discord: {
      rateLimits: {
        perRoute: { limit: limits.channelCreatesPerSecond, windowMs: 1000 },
        global: limits.globalPerSecond,
      },
    },
    workerEnv: { LOG_LEVEL: 'info', WORKER_CONCURRENCY: '16' },
    apiEnv: { LOG_LEVEL: 'warn' },
  });
  try {
    const { discord, faceit, guildId } = stack;
    discord.resetStats();
    const matches = Array.from({ length: opts.matches }, () => {
      const a = faceit.seedPlayer({ nickname: `a-${Math.random().toString(36).slice(2, 10)}` });
      const b = faceit.seedPlayer({ nickname: `b-${Math.random().toString(36).slice(2, 10)}` });
      return faceit.seedMatch({ faction1: [a.id], faction2: [b.id], status: 'READY' });
    });
    const t0 = performance.now();
    // Ten waves of ten, 100 ms apart: all created within one second.
    const sends: Promise<unknown>[] = [];
    for (let wave = 0; wave < 10; wave++) {
      for (const m of matches.slice(wave * (opts.matches / 10), (wave + 1) * (opts.matches / 10))) {
        sends.push(faceit.deliver(stack.webhook, faceit.buildWebhook(m.id, 'match_status_ready')));
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await Promise.all(sends);
    const expected = opts.matches * 2;
    await waitFor(
      () =>
        discord.state(guildId).channels.filter((c) => c.createdBy === 'bot' && c.type === 'voice').length >=
        expected,
      { what: 'all channels', timeoutMs: 600_000, intervalMs: 20 },
    );
    const seconds = (performance.now() - t0) / 1000;
    const names = discord
      .state(guildId)
      .channels.filter((c) => c.createdBy === 'bot' && c.type === 'voice')
      .map((c) => c.name);
    // Both match queues: set-up and clean-up.
    const failed = await failedJobs(stack);
    const stats = discord.stats();
    const fetches = faceit.stats().byRoute['data.match'] ?? 0;
    const creates = Object.entries(stats.byRoute)
      .filter(([route]) => route.startsWith('POST /guilds/:guild/channels'))
      .reduce((n, [, c]) => n + c, 0);
    return {
      matches: opts.matches,
      channels: names.length,
      secondsToAllChannels: Number(seconds.toFixed(2)),
      rateLimitsMet: stats.rateLimited,
      duplicateChannels: names.length - new Set(names).size,
      failedJobs: failed,
      discordRequests: stats.requests,
      faceitMatchFetches: fetches,
      boundSeconds: Number(
        Math.max(
          fetches / limits.faceitPerSecond,
          creates / limits.channelCreatesPerSecond,
          stats.requests / limits.globalPerSecond,
        ).toFixed(2),
      ),
      limits,
      rssMiB: { api: rssMiB(stack.apis[0]?.proc.child.pid), worker: rssMiB(stack.workers[0]?.child.pid) },
    };
  } finally {
    await stack.stop();
  }
}
