import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { childExited, deferCleanup, trackChild } from './cleanup.ts';
import { freePort, waitFor } from './wait.ts';

export interface LocalRedisCluster {
  /** REDIS_URL for the bridge: `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3`. */
  url: string;
  ports: number[];
  /** The servers' pids, for a harness that checks they are gone after `stop()`. */
  pids: number[];
  /** The servers' data directories (removed by `stop()`). */
  dirs: string[];
  /** Kills the servers and removes their directories. Idempotent. */
  stop(): Promise<void>;
}

const SLOTS = 16384;

/**
 * A real Redis Cluster of `masters` masters (no replicas) from the machine's `redis-server`, on free
 * loopback ports with a temporary directory each. Slots are split evenly by hand (CLUSTER ADDSLOTSRANGE)
 * and the nodes introduced with CLUSTER MEET, so only `redis-server` is needed (Redis ≥ 7.0: bus ports
 * are chosen with --cluster-port instead of port + 10000, which may not be free or even valid).
 * Resolves once every node reports `cluster_state:ok` and knows all the others. The servers and
 * directories go with `stop()`, or with the test process however it ends (cleanup.ts).
 */
export async function startRedisCluster(masters = 3): Promise<LocalRedisCluster> {
  requireRedisServer();
  const nodes: { port: number; busPort: number; dir: string; child: ChildProcess }[] = [];
  let stopped = false;
  const removeDirs = () => {
    for (const n of nodes) rmSync(n.dir, { recursive: true, force: true });
  };
  // A process that exits without stopping the cluster (a crash, a timed-out run) still removes the
  // directories; cleanup.ts kills the servers then.
  process.once('exit', removeDirs);
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const n of nodes) n.child.kill('SIGKILL');
    await Promise.all(nodes.map((n) => childExited(n.child)));
    removeDirs();
    process.off('exit', removeDirs);
  };
  const forget = deferCleanup('redis cluster', stop);
  try {
    for (let i = 0; i < masters; i++) nodes.push(await startNode());
    const clients = nodes.map(
      (n) => new Redis({ host: '127.0.0.1', port: n.port, lazyConnect: true, maxRetriesPerRequest: 1 }),
    );
    try {
      for (const c of clients) c.on('error', () => {});
      await Promise.all(clients.map((c) => c.connect()));
      const per = Math.ceil(SLOTS / masters);
      await Promise.all(
        clients.map((c, i) =>
          c.call('CLUSTER', 'ADDSLOTSRANGE', String(i * per), String(Math.min(SLOTS, (i + 1) * per) - 1)),
        ),
      );
      for (const n of nodes.slice(1)) {
        await clients[0]!.call('CLUSTER', 'MEET', '127.0.0.1', String(n.port), String(n.busPort));
      }
      await waitFor(
        async () => {
          const infos = await Promise.all(clients.map((c) => c.call('CLUSTER', 'INFO') as Promise<string>));
          return infos.every(
            (info) => info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${masters}\r`),
          );
        },
        { what: 'redis cluster_state:ok on every node', timeoutMs: 60_000, intervalMs: 100 },
      );
    } finally {
      for (const c of clients) c.disconnect();
    }
  } catch (err) {
    await stop();
    forget();
    throw err;
  }
  return {
    url: `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`,
    ports: nodes.map((n) => n.port),
    pids: nodes.map((n) => n.child.pid ?? 0),
    dirs: nodes.map((n) => n.dir),
    stop: async () => {
      await stop();
      forget();
    },
  };
}

/**
 * One cluster-enabled `redis-server` on fresh ports, answering PING. A port `freePort` found free can be
 * taken before the server binds it (the kernel hands the same range out for outgoing connections, and
 * a full test run makes thousands): the server then exits at once, and the node starts again on other
 * ports instead of the cluster waiting for a node that is gone.
 */
async function startNode(): Promise<{ port: number; busPort: number; dir: string; child: ChildProcess }> {
  let lastExit = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const [port, busPort] = [await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'bridge-redis-cluster-'));
    const child = spawn(
      'redis-server',
      [
        ...['--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1'],
        ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--dir', dir],
        ...['--cluster-node-timeout', '5000', '--save', '', '--appendonly', 'no'],
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    trackChild(child);
    let log = '';
    child.stdout?.on('data', (d) => {
      log = (log + String(d)).slice(-2_000);
    });
    const probe = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
    probe.on('error', () => {});
    try {
      const up = await waitFor(
        async () => {
          if (child.exitCode !== null || child.signalCode !== null) return 'exited';
          if (probe.status === 'wait') await probe.connect();
          return (await probe.ping()) === 'PONG' ? 'up' : undefined;
        },
        { what: `redis-server on port ${port} answering`, timeoutMs: 30_000 },
      );
      if (up === 'up') return { port, busPort, dir, child };
    } catch (err) {
      child.kill('SIGKILL');
      await childExited(child);
      rmSync(dir, { recursive: true, force: true });
      throw err;
    } finally {
      probe.disconnect();
    }
    lastExit = log.trim().split('\n').pop() ?? '';
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error(`redis-server for the cluster did not start on 5 pairs of free ports: ${lastExit}`);
}

/** A clear failure instead of a spawn ENOENT: the cluster needs redis-server ≥ 7.0 (--cluster-port). */
function requireRedisServer(): void {
  const res = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  const version = /v=(\d+)\.(\d+)/.exec(res.stdout ?? '');
  if (res.error || !version) {
    throw new Error(
      "redis-server not found: the Redis Cluster tests start a real one. Install Debian's redis-server package (./run installs it when run as root with apt-get).",
    );
  }
  if (Number(version[1]) < 7) {
    throw new Error(
      `redis-server ${version[1]}.${version[2]} is too old for the cluster tests: need ≥ 7.0 (--cluster-port)`,
    );
  }
}
