import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import {
  type DiscordEmulator,
  type DiscordEmulatorOptions,
  type GuildSeed,
  type GuildSpec,
  startDiscordEmulator,
} from '@bridge/sandbox/discord/index';
import {
  type FaceitEmulator,
  type FaceitEmulatorOptions,
  startFaceitEmulator,
} from '@bridge/sandbox/faceit/index';
import { PermissionFlagsBits as F } from 'discord-api-types/v10';
import { deferCleanup } from './cleanup.ts';
import { type AppProcess, startAppProcess } from './process.ts';
import { cleanupPrefix, REDIS_URL, testPrefix } from './redis.ts';
import { type LocalSupabase, startLocalSupabase } from './supabase.ts';
import { freePort, waitFor } from './wait.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');
export const API_ENTRY = join(repoRoot, 'apps/api/src/main.ts');
/**
 * Node flags the API runs with everywhere (Dockerfile, `./run start:api`, tests, bench; deploy.test.ts
 * checks they agree). A 32 MiB young generation: the webhook path allocates a little per request and
 * 50 requests in flight keep it alive, so the default size spent ~9 % of the CPU on scavenges.
 */
export const API_NODE_ARGS = ['--max-semi-space-size=32'];
export const WORKER_ENTRY = join(repoRoot, 'apps/worker/src/main.ts');

export interface StackOptions {
  workers?: number;
  apis?: number;
  /** Extra/overriding worker environment (e.g. VC_LOBBY_CHANNEL_ID: '' to unset). */
  workerEnv?: Record<string, string>;
  apiEnv?: Record<string, string>;
  discord?: DiscordEmulatorOptions;
  faceit?: FaceitEmulatorOptions;
  /** Added to the default guild (category "Matches", voice "Lobby" and "General", role "Staff"). */
  guild?: Pick<GuildSpec, 'members' | 'roles' | 'channels' | 'botPermissions'>;
  redisUrl?: string;
  /** QUEUE_PREFIX (default: a fresh hash-tagged one); keys under it are deleted by `stop()`. */
  prefix?: string;
  /**
   * A private "Matches" category: @everyone may not see or join it, and the bot has its own overwrite there
   * (what the README asks operators to grant). Discord checks overwrite edits against these permissions.
   */
  privateCategory?: boolean;
  /** Port of the first API (default: any free port). */
  apiPort?: number;
  /** The apps' entry points (default: this checkout's), e.g. an earlier release's checked out elsewhere. */
  apiEntry?: string;
  workerEntry?: string;
}

export interface RunningApp {
  proc: AppProcess;
  url: string;
  /** Where Prometheus scrapes this API (read from its start-up log line). */
  readonly metricsUrl: string;
}

export interface Stack {
  supabase: LocalSupabase;
  discord: DiscordEmulator;
  faceit: FaceitEmulator;
  guild: GuildSeed;
  guildId: string;
  prefix: string;
  redisUrl: string;
  webhookSecret: string;
  apis: RunningApp[];
  workers: AppProcess[];
  /** The first API's base URL. */
  apiUrl: string;
  /** Where the FACEIT emulator delivers webhooks. */
  webhook: { url: string; secret: string; header: string };
  workerEnv: Record<string, string>;
  apiEnv: Record<string, string>;
  startWorker(extra?: Record<string, string>): Promise<AppProcess>;
  startApi(extra?: Record<string, string>): Promise<RunningApp>;
  /** What the stack holds outside this process, for a harness that checks it is all gone after `stop()`. */
  resources(): StackResources;
  /** Kills the apps, closes the emulators, drops the database and the Redis keys. Idempotent. */
  stop(): Promise<void>;
}

export interface StackResources {
  database: string;
  redisPrefix: string;
  /** Child processes: PostgREST, the APIs, the workers. */
  pids: number[];
  /** TCP ports on 127.0.0.1: the APIs, the emulators, the `/rest/v1` gateway. */
  ports: number[];
}

/** The worker's FACEIT settings for the emulated FACEIT (Data API, OAuth client and endpoints). */
export function faceitWorkerEnv(faceit: FaceitEmulator, redirectUri: string): Record<string, string> {
  return {
    FACEIT_API_KEY: faceit.apiKey,
    FACEIT_API_URL: faceit.dataApiUrl,
    FACEIT_CLIENT_ID: faceit.clientId,
    FACEIT_CLIENT_SECRET: faceit.clientSecret,
    FACEIT_REDIRECT_URI: redirectUri,
    FACEIT_AUTH_URL: faceit.authUrl,
    FACEIT_TOKEN_URL: faceit.tokenUrl,
    FACEIT_USERINFO_URL: faceit.userinfoUrl,
  };
}

/**
 * The whole bridge for an end-to-end test or the demo: a fresh Supabase (Postgres + PostgREST),
 * both emulators, a Redis prefix of its own, and the API and worker(s) as real child processes.
 */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const redisUrl = opts.redisUrl ?? REDIS_URL;
  const prefix = opts.prefix ?? testPrefix('stack');
  const webhookSecret = randomBytes(16).toString('hex');
  // Side by side (a database copy and PostgREST, two emulators): one failing stops the others.
  const apiPort = opts.apiPort ?? (await freePort());
  const redirectUri = `http://127.0.0.1:${apiPort}/faceit/callback`;
  const [supabase, discord, faceit] = await allStarted([
    startLocalSupabase(),
    startDiscordEmulator(opts.discord),
    startFaceitEmulator({ redirectUris: [redirectUri], ...opts.faceit }),
  ] as const);
  const guild = discord.seedGuild({
    name: 'FACEIT Hub',
    roles: [{ name: 'Staff' }, ...(opts.guild?.roles ?? [])],
    channels: [
      opts.privateCategory
        ? {
            name: 'Matches',
            type: 'category' as const,
            overwrites: [
              { to: '@everyone', deny: String(F.ViewChannel | F.Connect) },
              {
                to: '@bot',
                allow: String(F.ViewChannel | F.Connect | F.Speak | F.MoveMembers | F.ManageChannels),
              },
            ],
          }
        : { name: 'Matches', type: 'category' as const },
      { name: 'Lobby', type: 'voice' },
      { name: 'General', type: 'voice' },
      ...(opts.guild?.channels ?? []),
    ],
    members: opts.guild?.members ?? [],
    ...(opts.guild?.botPermissions ? { botPermissions: opts.guild.botPermissions } : {}),
  });

  // NODE_ENV test: JSON logs, and the emulators' http and loopback URLs allowed (production refuses them).
  const shared = { NODE_ENV: 'test', REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, LOG_LEVEL: 'debug' };
  const apiEnv: Record<string, string> = {
    ...shared,
    HOST: '127.0.0.1',
    // Any free port: several APIs run at once (the metrics listener is internal, tests rarely read it).
    API_METRICS_PORT: '0',
    FACEIT_WEBHOOK_SECRET: webhookSecret,
    ...opts.apiEnv,
  };
  const workerEnv: Record<string, string> = {
    ...shared,
    SUPABASE_URL: supabase.url,
    SUPABASE_SERVICE_ROLE_KEY: supabase.serviceRoleKey,
    DISCORD_TOKEN: discord.botToken,
    DISCORD_GUILD_ID: guild.guildId,
    DISCORD_API_URL: discord.apiUrl,
    VC_CATEGORY_ID: guild.channels.Matches!,
    VC_LOBBY_CHANNEL_ID: guild.channels.Lobby!,
    VC_STAFF_ROLE_ID: guild.roles.Staff!,
    ...faceitWorkerEnv(faceit, redirectUri),
    METRICS_PORT: '0',
    SHUTDOWN_TIMEOUT_MS: '10000',
    ...opts.workerEnv,
  };

  const apis: RunningApp[] = [];
  const workers: AppProcess[] = [];
  /** Starts an API on `port` and waits until it is ready; 'port taken' when the port was gone by then. */
  const launchApi = async (
    port: number,
    extra: Record<string, string>,
  ): Promise<RunningApp | 'port taken'> => {
    const proc = startAppProcess(
      opts.apiEntry ?? API_ENTRY,
      { ...apiEnv, PORT: String(port), ...extra },
      { nodeArgs: API_NODE_ARGS },
    );
    const url = `http://127.0.0.1:${port}`;
    const app: RunningApp = {
      proc,
      url,
      // Where the API says it serves /metrics ('api listening'), else next to its routes.
      get metricsUrl() {
        const said = proc.lines.find((l) => l.msg === 'api listening')?.metrics;
        return typeof said === 'string' ? said : `${url}/metrics`;
      },
    };
    apis.push(app); // before waiting: stop() must kill it even if it never gets ready
    // Poll /readyz (listening AND Redis connected) rather than wait for a log line the level may hide.
    const outcome = await waitFor(
      async () => {
        if (proc.child.exitCode !== null) return 'exited';
        // Bounded: whoever holds the port when it was taken may never answer.
        const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
        return res?.ok ? 'ready' : undefined;
      },
      { what: 'api listening', timeoutMs: 60_000 },
    );
    if (outcome === 'ready') return app;
    apis.splice(apis.indexOf(app), 1);
    await proc.exited;
    const stderr = proc.stderr.join('');
    if (/EADDRINUSE/.test(stderr)) return 'port taken';
    throw new Error(`api exited: ${stderr}`);
  };
  const startApi = async (extra: Record<string, string> = {}) => {
    const first = apis.length === 0;
    // A free port is only free when asked: another process may take it before the API listens. Then
    // another port, unless the caller chose this one.
    for (let attempt = 1; ; attempt++) {
      const port = first && attempt === 1 ? apiPort : await freePort();
      if (first && attempt > 1) {
        // FACEIT sends the user back to the first API: register its new address.
        const uri = `http://127.0.0.1:${port}/faceit/callback`;
        faceit.addRedirectUri(uri);
        workerEnv.FACEIT_REDIRECT_URI = uri;
      }
      const app = await launchApi(port, extra);
      if (app !== 'port taken') return app;
      if ((first && opts.apiPort !== undefined) || attempt === 5)
        throw new Error(`api port ${port} is taken`);
    }
  };
  const startWorker = async (extra: Record<string, string> = {}) => {
    const proc = startAppProcess(opts.workerEntry ?? WORKER_ENTRY, { ...workerEnv, ...extra });
    workers.push(proc);
    const ready = await proc.waitForLine((l) => l.msg === 'worker ready', 'worker ready', 60_000);
    // Ready means taking part in the shard leases, not holding a session yet: a test's first slash command
    // or voice event waits, as Discord's would, until every shard has a connected session.
    const shards = (ready.shards as { count?: number } | undefined)?.count ?? 1;
    await discord.waitForSessions(shards, 60_000);
    return proc;
  };

  let stopped: Promise<void> | undefined;
  // The apps go first (nothing writes to the database or Redis after), then everything they used.
  // Any of them may already have exited on their own: Ctrl-C in a terminal signals them all.
  const stop = () =>
    (stopped ??= (async () => {
      await Promise.all([
        ...apis.map((a) => a.proc.kill('SIGKILL')),
        ...workers.map((w) => w.kill('SIGKILL')),
      ]);
      const [, , db] = await Promise.allSettled([discord.close(), faceit.close(), supabase.stop()]);
      await cleanupPrefix(redisUrl, prefix);
      forget();
      // A database that could not be dropped is left behind: say so (the demo names it on exit).
      if (db.status === 'rejected') throw db.reason;
    })());
  const forget = deferCleanup(`stack ${prefix} (database ${supabase.database})`, stop);
  const port = (url: string) => Number(new URL(url).port);
  const resources = (): StackResources => ({
    database: supabase.database,
    redisPrefix: prefix,
    pids: [
      supabase.postgrestPid,
      ...apis.map((a) => a.proc.child.pid),
      ...workers.map((w) => w.child.pid),
    ].filter((p): p is number => p !== undefined),
    ports: [...apis.map((a) => port(a.url)), port(discord.url), port(faceit.url), port(supabase.url)],
  });

  try {
    // The APIs and the workers start side by side (each group one by one: a worker copy's IDENTIFY waits
    // for the previous one's anyway). A worker started before the first API moved to another port (its
    // own was taken meanwhile) has the old FACEIT redirect URI: it starts again with the new one.
    const startApis = async () => {
      for (let i = 0; i < (opts.apis ?? 1); i++) await startApi();
    };
    const startWorkers = async () => {
      for (let i = 0; i < (opts.workers ?? 1); i++) await startWorker();
    };
    const uri = workerEnv.FACEIT_REDIRECT_URI;
    // Both settled before going on: on a failure, stop() must find every process the other group started.
    const started = await Promise.allSettled([startApis(), startWorkers()]);
    for (const r of started) if (r.status === 'rejected') throw r.reason;
    if (workerEnv.FACEIT_REDIRECT_URI !== uri) {
      const stale = workers.splice(0);
      await Promise.all(stale.map((w) => w.kill('SIGKILL')));
      await startWorkers();
    }
    // The slash commands are global, registered by one copy in the background after its start: a test's
    // first command waits for them, as a user would see them appear.
    if ((opts.workers ?? 1) > 0) {
      await waitFor(() => discord.globalCommands().length > 0 || undefined, {
        what: 'the global slash commands registered',
        timeoutMs: 60_000,
      });
    }
  } catch (err) {
    const logs = [...apis.map((a) => a.proc), ...workers].map((p) => p.stderr.join('')).join('\n');
    await stop();
    throw new Error(`${(err as Error).message}\n${logs}`);
  }
  const apiUrl = apis[0]?.url ?? `http://127.0.0.1:${apiPort}`;
  return {
    supabase,
    discord,
    faceit,
    guild,
    guildId: guild.guildId,
    prefix,
    redisUrl,
    webhookSecret,
    apis,
    workers,
    apiUrl,
    webhook: { url: `${apiUrl}/faceit-webhook`, secret: webhookSecret, header: 'x-faceit-webhook-secret' },
    workerEnv,
    apiEnv,
    startWorker,
    startApi,
    resources,
    stop,
  };
}

/** Resolves every start, or stops those that started and rejects with the first failure. */
async function allStarted<
  T extends readonly Promise<{ close?: () => Promise<void>; stop?: () => Promise<void> }>[],
>(starts: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failed) return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as never;
  await Promise.allSettled(
    settled.map((r) => (r.status === 'fulfilled' ? (r.value.stop?.() ?? r.value.close?.()) : undefined)),
  );
  throw failed.reason;
}
