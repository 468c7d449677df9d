import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { gatewayKeys, MAINTENANCE_JOBS, matchJobId } from '@bridge/core';
import { startFaceitEmulator } from '@bridge/sandbox';
import {
  API_ENTRY,
  API_NODE_ARGS,
  type AppProcess,
  cleanupPrefix,
  faceitWorkerEnv,
  freePort,
  REDIS_URL,
  settledJob,
  startAppProcess,
  startLocalSupabase,
  WORKER_ENTRY,
  waitFor,
  withQueue,
} from '@bridge/testbed';
import { Redis } from 'ioredis';
import { percentile } from '../stats.ts';
import { RemoteDiscord } from './remote-discord.ts';

export interface FleetOptions {
  sizes: number[];
  copies: number;
  /** DISCORD_SHARD_COUNT given to every copy */
  shards: number;
  membersPerGuild: number;
  /** how long a fleet may take to get every shard ready before the size is given up */
  readyCapMs: number;
  voiceEvents: number;
  voicePerSecond: number;
  matches: number;
}

export const FLEET_DEFAULTS: FleetOptions = {
  sizes: [1, 1000, 5000],
  copies: 3,
  shards: 6,
  membersPerGuild: 5,
  readyCapMs: 240_000,
  voiceEvents: 1000,
  voicePerSecond: 50,
  matches: 10,
};

export interface FleetSize {
  servers: number;
  /** servers with settings (/setup) and no match: what a sweep used to list */
  serversSetUp: number;
  ready: { ms: number | null; note: string };
  restAtStart: number;
  restAtStartByRoute: Record<string, number>;
  rssMiB: number[];
  voice?: {
    events: number;
    connects: number;
    per1000Events: { dbRoundTrips: number; redisCommands: number; workerCpuMs: number };
    baselinePer20s: { dbRoundTrips: number; redisCommands: number; workerCpuMs: number };
  };
  sweep?: { restRequests: number; ms: number };
  match?: { matches: number; p50Ms: number; p95Ms: number; maxMs: number };
}

const CLK_TCK = 100;
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}
function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Math.round(Number(line?.split(/\s+/)[1] ?? 0) / 1024);
}
/** Requests per route between two stats readings. */
function routesSince(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([r, n]) => [r, n - (before[r] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
}
const topRoutes = (byRoute: Record<string, number>) =>
  Object.entries(byRoute)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([r, n]) => `${r} ×${n}`)
    .join(', ');
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every shard (as the copies identify them) has a live session, and every copy said it is ready. */
async function fleetReady(discord: RemoteDiscord, copies: AppProcess[]): Promise<boolean> {
  if (!copies.every((c) => c.lines.some((l) => l.msg === 'worker ready'))) return false;
  const log = await discord.sessionLog();
  const live = log.filter((e) => e.live.at(-1)?.to === null);
  const count = live[0]?.shard[1];
  if (!count) return false;
  for (let s = 0; s < count; s++)
    if (!live.some((e) => e.shard[0] === s && e.shard[1] === count)) return false;
  return true;
}

/**
 * One fleet of `servers` Discord servers: the emulator (own process), Postgres + PostgREST, one API and
 * `copies` worker copies. Measures what the issue's table asks, in the order a deployment meets it.
 */
async function fleetOf(servers: number, opts: FleetOptions, say: (s: string) => void): Promise<FleetSize> {
  const discord = await RemoteDiscord.start({ guilds: servers, membersPerGuild: opts.membersPerGuild });
  const { info } = discord;
  const supabase = await startLocalSupabase();
  const prefix = `fleetbench-${randomBytes(4).toString('hex')}`;
  const apiPort = await freePort();
  const redirectUri = `http://127.0.0.1:${apiPort}/faceit/callback`;
  const faceit = await startFaceitEmulator({ redirectUris: [redirectUri] });
  const secret = randomBytes(16).toString('hex');
  const procs: AppProcess[] = [];
  const copies: AppProcess[] = [];
  try {
    if (info.setUp.length > 0) {
      await supabase.query('insert into guild_settings (guild_id) select unnest($1::text[])', [info.setUp]);
    }
    const api = startAppProcess(
      API_ENTRY,
      {
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        PORT: String(apiPort),
        FACEIT_WEBHOOK_SECRET: secret,
      },
      { nodeArgs: API_NODE_ARGS },
    );
    procs.push(api);
    await waitFor(
      () =>
        fetch(`http://127.0.0.1:${apiPort}/readyz`)
          .then((r) => r.ok)
          .catch(() => false),
      {
        what: 'api ready',
        timeoutMs: 60_000,
      },
    );
    const workerEnv = {
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: process.env.FLEET_LOG_LEVEL ?? 'info',
      SUPABASE_URL: supabase.url,
      SUPABASE_SERVICE_ROLE_KEY: supabase.serviceRoleKey,
      DISCORD_TOKEN: info.botToken,
      DISCORD_API_URL: info.apiUrl,
      DISCORD_GUILD_ID: info.home.guildId,
      // A public bot serving every server that adds it (without this it would leave all but the home guild).
      BRIDGE_GUILDS: '*',
      DISCORD_SHARD_COUNT: String(opts.shards),
      VC_CATEGORY_ID: info.home.channels.Matches as string,
      VC_LOBBY_CHANNEL_ID: info.home.channels.Lobby as string,
      VC_STAFF_ROLE_ID: info.home.roles.Staff as string,
      ...faceitWorkerEnv(faceit, redirectUri),
      METRICS_PORT: '0',
      SHUTDOWN_TIMEOUT_MS: '10000',
      // The production sweep interval: it sizes the slow pass's page (servers / a day's sweeps). The bench
      // also runs one sweep itself, measured on its own.
    };

    // A deployment that ran before: its one-time removal of the per-server commands of earlier versions is done
    // (one request per server, once, in the background at most one a second; not what a start costs).
    const keysRedis = new Redis(REDIS_URL);
    const keys = gatewayKeys(keysRedis, prefix);
    for (let shard = 0; shard < opts.shards; shard++)
      await keysRedis.set(keys.guildCommandsCleared(shard, opts.shards), 'done');
    keysRedis.disconnect();

    // Start → every shard ready.
    const beforeStats = await discord.stats();
    const before = beforeStats.requests;
    const t0 = Date.now();
    for (let i = 0; i < opts.copies; i++) {
      const c = startAppProcess(WORKER_ENTRY, workerEnv);
      procs.push(c);
      copies.push(c);
    }
    const ready = await waitFor(() => fleetReady(discord, copies), {
      what: 'every shard ready',
      timeoutMs: opts.readyCapMs,
      intervalMs: 200,
    }).then(
      () => Date.now() - t0,
      () => null,
    );
    const started = await discord.stats();
    const restAtStart = started.requests - before;
    const result: FleetSize = {
      servers,
      serversSetUp: info.setUp.length,
      ready: {
        ms: ready,
        note:
          ready === null
            ? `not ready after ${opts.readyCapMs / 1000} s`
            : 'every shard live, every copy ready',
      },
      restAtStart,
      restAtStartByRoute: routesSince(beforeStats.byRoute, started.byRoute),
      rssMiB: [],
    };
    say(
      `fleet ${servers}: ready ${ready === null ? result.ready.note : `${ready} ms`}, ${restAtStart} REST requests (${topRoutes(routesSince(beforeStats.byRoute, started.byRoute))}), RSS ${copies.map((c) => rssMiB(c.child.pid as number)).join('/')} MiB`,
    );
    if (ready === null) {
      result.rssMiB = copies.map((c) => rssMiB(c.child.pid as number));
      return result;
    }
    await pause(10_000);
    result.rssMiB = copies.map((c) => rssMiB(c.child.pid as number));

    // Voice traffic of members who play in no match: what it costs the workers. Redis commands are the
    // server's own count (INFO stats; MONITOR loses its place under this much traffic): everything this
    // fleet sends, which the idle baseline below takes out.
    const statsRedis = new Redis(REDIS_URL);
    const redisCommandsNow = async () =>
      Number(/total_commands_processed:(\d+)/.exec(await statsRedis.info('stats'))?.[1] ?? 0);
    // The live-members reload (each copy, once a minute, whatever happens) is periodic, not per event: it is
    // in the idle baseline, counted apart, and the per-event figure is every other round trip.
    const reload = (path: string) => path.includes('match_live_members');
    const perEvent = (path: string) => !reload(path);
    const measure = async (run: () => Promise<void>) => {
      const db0 = supabase.restRequests(perEvent);
      const reload0 = supabase.restRequests(reload);
      const r0 = await redisCommandsNow();
      const cpu0 = copies.reduce((s, c) => s + cpuMs(c.child.pid as number), 0);
      const t = Date.now();
      await run();
      await pause(1000); // the last events' handling
      return {
        ms: Date.now() - t,
        db: supabase.restRequests(perEvent) - db0,
        reloads: supabase.restRequests(reload) - reload0,
        redis: (await redisCommandsNow()) - r0 - 1,
        cpu: copies.reduce((s, c) => s + cpuMs(c.child.pid as number), 0) - cpu0,
      };
    };
    // The scheduled sweep (every SWEEP_INTERVAL_MS) is measured on its own below: the windows avoid it.
    const next = await withQueue({ redisUrl: REDIS_URL, prefix }, 'maintenance', (q) =>
      q.getJobScheduler(MAINTENANCE_JOBS.sweep),
    );
    const windowsMs = 60_000;
    if (next?.next && next.next - Date.now() < windowsMs) {
      await pause(Math.max(0, next.next - Date.now()) + 5_000);
    }
    const idle = await measure(async () => {
      await pause(19_000);
    });
    const busy = await measure(async () => {
      await discord.traffic(opts.voiceEvents, opts.voicePerSecond);
    });
    statsRedis.disconnect();
    const scale = busy.ms / idle.ms;
    const per1000 = (v: number, base: number) =>
      Math.max(0, Math.round(((v - base * scale) * 1000) / opts.voiceEvents));
    result.voice = {
      events: opts.voiceEvents,
      connects: Math.round(opts.voiceEvents / 2),
      per1000Events: {
        dbRoundTrips: per1000(busy.db, idle.db),
        redisCommands: per1000(busy.redis, idle.redis),
        workerCpuMs: per1000(busy.cpu, idle.cpu),
      },
      baselinePer20s: {
        dbRoundTrips: idle.db + idle.reloads,
        redisCommands: idle.redis,
        workerCpuMs: Math.round(idle.cpu),
      },
    };
    say(`fleet ${servers}: voice ${JSON.stringify(result.voice.per1000Events)} per 1000 events`);

    // A match's latency in this fleet, one at a time (each after the rate-limit window of the last).
    const samples: number[] = [];
    const webhook = {
      url: `http://127.0.0.1:${apiPort}/faceit-webhook`,
      secret,
      header: 'x-faceit-webhook-secret',
    };
    const home = info.home.guildId;
    for (let m = -1; m < opts.matches; m++) {
      const people = await Promise.all(
        Array.from({ length: 4 }, async (_, i) => {
          const username = `f${servers}m${m + 1}p${i}`;
          const discordId = await discord.addMember(home, username);
          const player = faceit.seedPlayer({ nickname: username });
          await discord.setVoice(home, discordId, info.home.channels.Lobby as string);
          return { discordId, player };
        }),
      );
      await supabase.query(
        `insert into player_links (discord_id, faceit_id, faceit_nickname, verified_method)
         select d, f, n, 'oauth' from unnest($1::text[], $2::text[], $3::text[]) as t(d, f, n)`,
        [
          people.map((p) => p.discordId),
          people.map((p) => p.player.id),
          people.map((p) => p.player.nickname),
        ],
      );
      const match = faceit.seedMatch({
        faction1: [people[0]!.player.id, people[1]!.player.id],
        faction2: [people[2]!.player.id, people[3]!.player.id],
        status: 'READY',
      });
      const matchStats = await discord.stats();
      const t = performance.now();
      const res = await faceit.deliver(webhook, faceit.buildWebhook(match.id, 'match_status_ready'));
      if (res.status !== 202) throw new Error(`webhook answered ${res.status}`);
      await waitFor(
        async () => {
          const s = await discord.state(home);
          const ids = new Set(
            s.channels.filter((c) => c.createdBy === 'bot' && c.type === 'voice').map((c) => c.id),
          );
          if (ids.size === 2 && people.every((p) => ids.has(s.voiceStates[p.discordId] ?? ''))) return true;
          // Said if it times out: what is there instead.
          throw new Error(
            `${ids.size} bot voice channels; players in ${people.map((p) => s.voiceStates[p.discordId] ?? 'no voice').join(', ')}`,
          );
        },
        { what: `match ${m} built`, timeoutMs: 60_000, intervalMs: 20 },
      );
      const took = performance.now() - t;
      if (m >= 0) samples.push(took);
      if (process.env.FLEET_LOGS) {
        const now = await discord.stats();
        say(
          `fleet ${servers}: match ${m} ${Math.round(took)} ms: ${topRoutes(routesSince(matchStats.byRoute, now.byRoute))}; 429 ${topRoutes(routesSince(matchStats.rateLimitedByRoute, now.rateLimitedByRoute))}`,
        );
      }
      // As on FACEIT, the match is finished when its finish arrives: the worker asks before tearing down.
      faceit.setStatus(match.id, 'FINISHED');
      const finished = faceit.buildWebhook(match.id, 'match_status_finished');
      await faceit.deliver(webhook, finished);
      // Match job ids carry FACEIT's payload version.
      await settledJob(
        { redisUrl: REDIS_URL, prefix },
        'cleanup',
        matchJobId(match.id, 'match_status_finished', finished.payload.version),
      );
      await waitFor(
        async () =>
          !(await discord.state(home)).channels.some((c) => c.createdBy === 'bot' && c.type === 'voice'),
        { what: `match ${m} cleaned up`, timeoutMs: 60_000, intervalMs: 50 },
      );
      // Discord's buckets (10 per 10 s) refilled: each match meets them as the first of its window.
      await pause(10_000);
    }
    const sorted = samples.sort((a, b) => a - b);
    result.match = {
      matches: samples.length,
      p50Ms: Math.round(percentile(sorted, 50)),
      p95Ms: Math.round(percentile(sorted, 95)),
      maxMs: Math.round(sorted.at(-1) ?? 0),
    };
    say(`fleet ${servers}: match p95 ${result.match.p95Ms} ms`);

    // One sweep: what it asks of Discord, and how long it takes.
    const sweepBefore = (await discord.stats()).requests;
    const jobId = `bench-sweep-${servers}`;
    await withQueue({ redisUrl: REDIS_URL, prefix }, 'maintenance', (q) =>
      q.add('sweep', { reason: 'bench' }, { jobId }),
    );
    await settledJob({ redisUrl: REDIS_URL, prefix }, 'maintenance', jobId, 600_000);
    const job = await withQueue({ redisUrl: REDIS_URL, prefix }, 'maintenance', (q) => q.getJob(jobId));
    result.sweep = {
      restRequests: (await discord.stats()).requests - sweepBefore,
      ms: (job?.finishedOn ?? 0) - (job?.processedOn ?? 0),
    };
    say(`fleet ${servers}: sweep ${JSON.stringify(result.sweep)}`);
    return result;
  } finally {
    // FLEET_LOGS=<file>: every worker copy's log lines, for a figure that needs explaining.
    if (process.env.FLEET_LOGS) {
      const lines = copies.flatMap((c, i) => c.lines.map((l) => JSON.stringify({ copy: i, ...l })));
      writeFileSync(`${process.env.FLEET_LOGS}.${servers}`, `${lines.join('\n')}\n`);
    }
    await Promise.all(procs.map((p) => p.kill('SIGKILL')));
    await Promise.allSettled([discord.stop(), faceit.close(), supabase.stop()]);
    await cleanupPrefix(REDIS_URL, prefix);
  }
}

export interface FleetResult {
  copies: number;
  shards: number;
  sizes: FleetSize[];
}

export async function benchFleet(
  opts: Partial<FleetOptions> = {},
  say: (s: string) => void = () => {},
): Promise<FleetResult> {
  const o = { ...FLEET_DEFAULTS, ...opts };
  const sizes: FleetSize[] = [];
  for (const n of o.sizes) sizes.push(await fleetOf(n, o, say));
  return { copies: o.copies, shards: o.shards, sizes };
}
