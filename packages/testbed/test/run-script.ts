import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { cleanupPrefix, REDIS_URL } from '../src/redis.ts';
import { waitFor } from '../src/wait.ts';

const repoRoot = join(import.meta.dirname, '../../..');
const adminUrl = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const redisUrl = REDIS_URL;

export interface ScriptRun {
  /** pid of `./run` (which execs pnpm): the top process, and the id of its process group. */
  pid: number;
  lines: string[];
  output(): string;
  /** Resolves when the top process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  waitForLine(pattern: RegExp, what: string, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Any process left in the group (pnpm, node, the apps, PostgREST …). */
  groupAlive(): boolean;
  /** Signals the whole group, as a terminal's Ctrl-C does. */
  signalGroup(signal: NodeJS.Signals): void;
}

/**
 * `./run <script>` as a user starts it in a terminal: in a process group of its own (a terminal's
 * foreground job), with output read line by line.
 */
export function runScript(script: string, env: Record<string, string> = {}): ScriptRun {
  const child = spawn(join(repoRoot, 'run'), [script], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`./run ${script} did not start`);
  const lines: string[] = [];
  let buf = '';
  const take = (d: Buffer) => {
    buf += String(d);
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const groupAlive = () => isAlive(-pid);
  return {
    pid,
    lines,
    output: () => [...lines, buf].join('\n'),
    exited,
    waitForLine: (pattern, what, timeoutMs = 120_000) =>
      waitFor(
        () => {
          for (const line of lines) {
            const m = pattern.exec(line);
            if (m) return m;
          }
          if (child.exitCode !== null || child.signalCode !== null)
            throw new Error(`./run ${script} exited: ${[...lines, buf].join('\n')}`);
          return null;
        },
        { what, timeoutMs, intervalMs: 100 },
      ),
    groupAlive,
    signalGroup: (signal) => process.kill(-pid, signal),
  };
}

/** `kill(pid, 0)`: does the process (or, for a negative pid, any process of the group) exist? */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** True when nothing accepts connections on 127.0.0.1:port. */
export function portClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

export async function databaseExists(database: string): Promise<boolean> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    return (await admin.query('select 1 from pg_database where datname = $1', [database])).rowCount === 1;
  } finally {
    await admin.end();
  }
}

export async function redisKeyCount(prefix: string): Promise<number> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    let n = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      n += keys.length;
    } while (cursor !== '0');
    return n;
  } finally {
    redis.disconnect();
  }
}

/** After a failed test: kill what is left of the group and remove what it held. */
export async function forceCleanup(
  run: ScriptRun,
  resources?: { database?: string; redisPrefix?: string },
): Promise<void> {
  if (run.groupAlive()) {
    try {
      run.signalGroup('SIGKILL');
    } catch {}
    await waitFor(() => !run.groupAlive(), { what: 'group killed', timeoutMs: 10_000 }).catch(() => {});
  }
  if (resources?.database) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`drop database if exists "${resources.database}" with (force)`).catch(() => {});
    await admin.end();
  }
  if (resources?.redisPrefix) await cleanupPrefix(redisUrl, resources.redisPrefix);
}
