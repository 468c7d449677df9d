import { describe, expect, it } from 'vitest';
import { startStack } from '../src/stack.ts';
import { freePort, waitFor } from '../src/wait.ts';
import {
  databaseExists,
  forceCleanup,
  isAlive,
  portClosed,
  redisKeyCount,
  runScript,
  type ScriptRun,
} from './run-script.ts';

// How a user stops things: Ctrl-C in a terminal signals the whole foreground process group (pnpm, node,
// the API, the worker, PostgREST at once); a service manager sends SIGTERM to the top process. Either
// way everything must be gone within 10 s: processes, ports, the demo's database and Redis keys.

interface DemoResources {
  pid: number;
  database: string;
  redisPrefix: string;
  pids: number[];
  ports: number[];
}

async function startDemo(): Promise<{ run: ScriptRun; res: DemoResources }> {
  // PORT: not the demo's default 3000, which someone's own demo may hold.
  const run = runScript('demo', { PORT: String(await freePort()) });
  try {
    const [, json] = await run.waitForLine(/resources (\{.*\})$/, 'the demo resources line');
    return { run, res: JSON.parse(json as string) as DemoResources };
  } catch (err) {
    await forceCleanup(run);
    throw err;
  }
}

/** Everything the demo held is gone within 10 s of `signalledAt`. */
async function expectAllGone(run: ScriptRun, res: DemoResources, signalledAt: number) {
  const { at } = await run.exited;
  expect(at - signalledAt, run.output()).toBeLessThan(10_000);
  await waitFor(() => !run.groupAlive(), {
    what: 'no process left in the group',
    timeoutMs: Math.max(0, signalledAt + 10_000 - Date.now()),
  });
  for (const pid of [res.pid, ...res.pids]) expect(isAlive(pid), `pid ${pid}`).toBe(false);
  for (const port of res.ports) expect(await portClosed(port), `port ${port}`).toBe(true);
  expect(await databaseExists(res.database), res.database).toBe(false);
  expect(await redisKeyCount(res.redisPrefix), res.redisPrefix).toBe(0);
  expect(run.output()).toMatch(/stopped; nothing left behind/);
}

describe('./run demo stops cleanly', () => {
  it('on Ctrl-C (SIGINT to its process group) once it is up', async () => {
    const { run, res } = await startDemo();
    try {
      await run.waitForLine(/^Ctrl-C stops everything/, 'the demo up');
      expect(res.pids.length).toBe(3); // PostgREST, the API, the worker
      for (const pid of res.pids) expect(isAlive(pid)).toBe(true);
      expect(await databaseExists(res.database)).toBe(true);
      expect(await redisKeyCount(res.redisPrefix)).toBeGreaterThan(0);
      const signalledAt = Date.now();
      run.signalGroup('SIGINT');
      await expectAllGone(run, res, signalledAt);
      expect((await run.exited).code).toBe(0);
    } finally {
      await forceCleanup(run, res);
    }
  }, 180_000);

  it('on Ctrl-C pressed twice, in the middle of the timeline', async () => {
    const { run, res } = await startDemo();
    try {
      const signalledAt = Date.now();
      run.signalGroup('SIGINT');
      await new Promise((r) => setTimeout(r, 300)); // a person's second press, not a wait on the demo
      if (run.groupAlive()) run.signalGroup('SIGINT');
      await expectAllGone(run, res, signalledAt);
    } finally {
      await forceCleanup(run, res);
    }
  }, 180_000);

  it('on SIGTERM to the top process alone, while it plays its timeline', async () => {
    const { run, res } = await startDemo();
    try {
      const signalledAt = Date.now();
      process.kill(run.pid, 'SIGTERM');
      await expectAllGone(run, res, signalledAt);
      expect((await run.exited).code).toBe(0);
    } finally {
      await forceCleanup(run, res);
    }
  }, 180_000);
});

describe('./run sandbox stops cleanly', () => {
  const start = async () => {
    const ports = { discord: await freePort(), faceit: await freePort() };
    const run = runScript('sandbox', {
      SANDBOX_DISCORD_PORT: String(ports.discord),
      SANDBOX_FACEIT_PORT: String(ports.faceit),
    });
    try {
      await run.waitForLine(/^Ctrl-C to stop\.$/, 'the sandbox banner');
    } catch (err) {
      await forceCleanup(run);
      throw err;
    }
    expect(await portClosed(ports.discord)).toBe(false);
    expect(await portClosed(ports.faceit)).toBe(false);
    return { run, ports: Object.values(ports) };
  };
  const expectGone = async (run: ScriptRun, ports: number[], signalledAt: number) => {
    const { at, code } = await run.exited;
    expect(at - signalledAt, run.output()).toBeLessThan(10_000);
    expect(code, run.output()).toBe(0);
    await waitFor(() => !run.groupAlive(), { what: 'no process left in the group', timeoutMs: 10_000 });
    for (const port of ports) expect(await portClosed(port), `port ${port}`).toBe(true);
  };

  it('on Ctrl-C (SIGINT to its process group), twice', async () => {
    const { run, ports } = await start();
    try {
      const signalledAt = Date.now();
      run.signalGroup('SIGINT');
      if (run.groupAlive()) run.signalGroup('SIGINT');
      await expectGone(run, ports, signalledAt);
    } finally {
      await forceCleanup(run);
    }
  }, 120_000);

  it('on SIGTERM to the top process alone', async () => {
    const { run, ports } = await start();
    try {
      const signalledAt = Date.now();
      process.kill(run.pid, 'SIGTERM');
      await expectGone(run, ports, signalledAt);
    } finally {
      await forceCleanup(run);
    }
  }, 120_000);
});

describe('./run start:api and ./run start:worker stop cleanly', () => {
  it('on Ctrl-C (SIGINT to the process group) and on SIGTERM to the top process', async () => {
    const stack = await startStack({ apis: 0, workers: 0 });
    try {
      const cases = [
        { script: 'start:api', stop: 'group' as const },
        { script: 'start:api', stop: 'top' as const },
        { script: 'start:worker', stop: 'group' as const },
        { script: 'start:worker', stop: 'top' as const },
      ];
      // All four at once (each on its own ports, sharing the stack's Redis prefix and emulators).
      await Promise.all(
        cases.map(async ({ script, stop }) => {
          const port = await freePort();
          const env =
            script === 'start:api'
              ? { ...stack.apiEnv, PORT: String(port) }
              : { ...stack.workerEnv, METRICS_PORT: String(port) };
          const run = runScript(script, { ...env, LOG_LEVEL: 'info' });
          const label = `${script}, ${stop === 'group' ? 'SIGINT to the group' : 'SIGTERM to the top'}`;
          try {
            await run.waitForLine(/"msg":"(api listening|worker ready)"/, `${script} ready`);
            expect(await portClosed(port)).toBe(false);
            const signalledAt = Date.now();
            if (stop === 'group') run.signalGroup('SIGINT');
            else process.kill(run.pid, 'SIGTERM');
            const { at, code } = await run.exited;
            expect(at - signalledAt, `${label}: ${run.output()}`).toBeLessThan(10_000);
            expect(code, `${label}: ${run.output()}`).toBe(0);
            await waitFor(() => !run.groupAlive(), { what: `${label}: no process left`, timeoutMs: 10_000 });
            expect(await portClosed(port), `${label}: port ${port}`).toBe(true);
          } finally {
            await forceCleanup(run);
          }
        }),
      );
    } finally {
      await stack.stop();
    }
  }, 240_000);
});
