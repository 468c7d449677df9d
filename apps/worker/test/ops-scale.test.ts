import { shortId } from '@bridge/core';
import type { WebhookEnvelope } from '@bridge/sandbox';
import {
  failedJobs,
  type LocalRedisCluster,
  type Stack,
  startRedisCluster,
  startStack,
  testPrefix,
  waitFor,
} from '@bridge/testbed';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';

// Scale-out and rolling restarts: several API and worker processes share Redis and Postgres.
// Channel creation is rate limited like a busy bot's (50 per second), so these runs stay short.
// Starting a worker copy costs an IDENTIFY, and Discord takes one per 5 s (max_concurrency 1): each copy
// started right after another waits about 5 s (op 9, then discord.js identifies again), hence the timeouts.
const timeout = 120_000;
const discord = { rateLimits: { perRoute: { limit: 50, windowMs: 1000 }, global: 100 } };

let stack: Stack | undefined;
let cluster: LocalRedisCluster | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
  // After the stack: its stop() deletes its keys from the cluster.
  await cluster?.stop();
  cluster = undefined;
});

function seedMatches(s: Stack, n: number) {
  return Array.from({ length: n }, (_, i) => {
    const a = s.faceit.seedPlayer({ nickname: `a${i}-${Math.random().toString(36).slice(2, 7)}` });
    const b = s.faceit.seedPlayer({ nickname: `b${i}-${Math.random().toString(36).slice(2, 7)}` });
    return s.faceit.seedMatch({ faction1: [a.id], faction2: [b.id], status: 'READY' });
  });
}

function botChannels(s: Stack) {
  return s.discord.state(s.guildId).channels.filter((c) => c.createdBy === 'bot' && c.type === 'voice');
}

/** Like FACEIT: POST until some API answers 2xx; a refused connection or a 5xx is retried (retry_count + 1). */
async function deliverUntilAccepted(
  s: Stack,
  apiUrls: () => string[],
  envelope: WebhookEnvelope,
): Promise<number> {
  let attempt = 0;
  for (;;) {
    const urls = apiUrls();
    const url = urls[attempt % urls.length]!;
    const res = await s.faceit.deliver(
      { url: `${url}/faceit-webhook`, secret: s.webhookSecret },
      { ...envelope, retry_count: attempt },
    );
    if (res.status >= 200 && res.status < 300) return attempt;
    attempt++;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('scale-out: 2 API and 3 worker processes', { timeout }, () => {
  it('drive 50 matches with duplicated deliveries: every match gets exactly its channels, every interaction one answer', async () => {
    stack = await startStack({ apis: 2, workers: 3, discord, guild: { members: [{ username: 'asker' }] } });
    const s = stack;
    const matches = seedMatches(s, 50);
    // Each delivery goes to both APIs at once, and again as a redelivery.
    const results = await Promise.all(
      matches.flatMap((m) => {
        const envelope = s.faceit.buildWebhook(m.id, 'match_status_ready');
        return s.apis.flatMap((api) =>
          [0, 1].map((retry) =>
            s.faceit.deliver(
              { url: `${api.url}/faceit-webhook`, secret: s.webhookSecret },
              { ...envelope, retry_count: retry },
            ),
          ),
        );
      }),
    );
    expect(results.every((r) => r.status === 202)).toBe(true);

    await waitFor(() => botChannels(s).length >= 100, {
      what: '100 channels',
      timeoutMs: 120_000,
      intervalMs: 50,
    });
    const names = botChannels(s).map((c) => c.name);
    expect(names).toHaveLength(100);
    expect(new Set(names).size).toBe(100);
    for (const m of matches) {
      const short = shortId(m.id);
      expect(names.filter((n) => n.startsWith(`match-${short}-`)).sort()).toEqual([
        `match-${short}-faction1`,
        `match-${short}-faction2`,
      ]);
    }
    // A row is written just after its channel: wait for the last ones rather than read too early.
    await waitFor(async () => (await s.supabase.query('select 1 from active_matches')).length >= 100, {
      what: '100 rows',
    });
    expect(await s.supabase.query('select 1 from active_matches')).toHaveLength(100);
    expect(await failedJobs(s)).toBe(0);

    // Slash commands with three copies sharing the gateway: the guild's shard has one session (one copy holds
    // it), and each interaction is answered exactly once.
    expect(s.discord.sessions()).toBe(1);
    const asker = s.guild.members.asker!;
    const records = await Promise.all(
      Array.from({ length: 9 }, () =>
        s.discord.invokeCommand({ guildId: s.guildId, userId: asker, name: 'whoami' }),
      ),
    );
    for (const r of records) {
      await r.waitForReply();
      expect(r.responses).toHaveLength(1);
    }
    // The work was shared: more than one worker copy processed match jobs (from their metrics).
    const completedPerWorker = await Promise.all(
      s.workers.map(async (w) => {
        const port = w.lines.find((l) => l.msg === 'worker ready')?.metricsPort;
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        return Number(
          /bridge_jobs_total\{queue="matches",name="matchCreated",outcome="completed"[^}]*\} (\d+)/.exec(
            text,
          )?.[1] ?? 0,
        );
      }),
    );
    expect(completedPerWorker.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(50);
    expect(completedPerWorker.filter((n) => n > 0).length).toBeGreaterThan(1);

    // Redis Cluster: every key the bridge wrote carries the prefix's hash tag as its first {…},
    // so they all land in one slot (BullMQ's multi-key scripts need that).
    const redis = new Redis(s.redisUrl);
    const keys = await redis.keys(`${s.prefix}*`);
    redis.disconnect();
    expect(s.prefix).toMatch(/^\{[^}]+\}$/);
    expect(keys.length).toBeGreaterThan(50);
    expect(new Set(keys.map((k) => /\{[^}]*\}/.exec(k)?.[0]))).toEqual(new Set([s.prefix]));
  }, 240_000);
});

describe('rolling restart under load', { timeout }, () => {
  it('restarting every API and worker process one by one loses nothing and duplicates nothing', async () => {
    stack = await startStack({ apis: 2, workers: 2, discord });
    const s = stack;
    const matches = seedMatches(s, 30);
    let current = s.apis.map((a) => a.url);
    // FACEIT keeps delivering (and retrying) while every process is replaced.
    const load = (async () => {
      for (const m of matches) {
        await deliverUntilAccepted(s, () => current, s.faceit.buildWebhook(m.id, 'match_status_ready'));
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
    const restarts = (async () => {
      for (const old of [...s.workers]) {
        expect(await old.kill('SIGTERM')).toBe(0);
        await s.startWorker();
      }
      for (const old of [...s.apis]) {
        current = current.filter((u) => u !== old.url);
        expect(await old.proc.kill('SIGTERM')).toBe(0);
        const fresh = await s.startApi();
        current = [...current, fresh.url];
      }
    })();
    await Promise.all([load, restarts]);

    await waitFor(() => botChannels(s).length >= 60, {
      what: '60 channels',
      timeoutMs: 120_000,
      intervalMs: 50,
    });
    const names = botChannels(s).map((c) => c.name);
    expect(names).toHaveLength(60);
    expect(new Set(names).size).toBe(60);
    for (const m of matches)
      expect(names.filter((n) => n.startsWith(`match-${shortId(m.id)}-`))).toHaveLength(2);
    await waitFor(async () => (await s.supabase.query('select 1 from active_matches')).length >= 60, {
      what: '60 rows',
    });
    expect(await s.supabase.query('select 1 from active_matches')).toHaveLength(60);
    expect(await failedJobs(s)).toBe(0);
  }, 240_000);
});

describe('scale-out on a 3-master Redis Cluster', { timeout }, () => {
  it('2 APIs and 3 workers on the cluster: duplicated deliveries, a worker SIGKILLed mid-load, every match converges once', async () => {
    cluster = await startRedisCluster(3);
    // An untagged prefix: the bridge tags each queue and key group itself, spreading them over the masters.
    stack = await startStack({
      apis: 2,
      workers: 3,
      discord,
      redisUrl: cluster.url,
      prefix: testPrefix('scale', { tagged: false }),
    });
    const s = stack;
    const matches = seedMatches(s, 30);
    const apiUrls = () => s.apis.map((a) => a.url);
    const victim = s.workers[0]!;
    // Every match is delivered twice (two APIs, or a retry); a worker copy dies a third of the way in.
    const deliveries = matches.map(async (m, i) => {
      await new Promise((r) => setTimeout(r, i * 30));
      if (i === 10) expect(await victim.kill('SIGKILL')).toBe('SIGKILL');
      const envelope = s.faceit.buildWebhook(m.id, 'match_status_ready');
      await Promise.all([0, 1].map(() => deliverUntilAccepted(s, apiUrls, envelope)));
    });
    await Promise.all(deliveries);

    // A job the dead copy held comes back after its stall check (~15 s): hence the generous bound.
    await waitFor(() => botChannels(s).length >= 60, {
      what: '60 channels',
      timeoutMs: 120_000,
      intervalMs: 50,
    });
    const names = botChannels(s).map((c) => c.name);
    expect(names).toHaveLength(60);
    expect(new Set(names).size).toBe(60);
    for (const m of matches) {
      expect(names.filter((n) => n.startsWith(`match-${shortId(m.id)}-`))).toHaveLength(2);
    }
    await waitFor(async () => (await s.supabase.query('select 1 from active_matches')).length >= 60, {
      what: '60 rows',
    });
    expect(await s.supabase.query('select 1 from active_matches')).toHaveLength(60);
    expect(await failedJobs(s)).toBe(0);
    // No process ever ran into the cluster's slot rules.
    const lines = [...s.apis.map((a) => a.proc), ...s.workers].flatMap((p) => p.lines);
    expect(lines.filter((l) => /CROSSSLOT|MOVED|CLUSTERDOWN/.test(JSON.stringify(l)))).toEqual([]);
  }, 240_000);
});
