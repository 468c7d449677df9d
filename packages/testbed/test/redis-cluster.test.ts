import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createProducerRedis } from '@bridge/core';
import { describe, expect, it } from 'vitest';
import { childExited, trackChild } from '../src/cleanup.ts';
import { startRedisCluster } from '../src/redis-cluster.ts';
import { waitFor } from '../src/wait.ts';
import { isAlive } from './run-script.ts';

describe("the test bed's Redis Cluster", () => {
  it('is 3 masters with every slot served, and stop() leaves no process or directory behind', async () => {
    const cluster = await startRedisCluster(3);
    try {
      const client = createProducerRedis(cluster.url);
      client.on('error', () => {});
      try {
        await waitFor(() => client.status === 'ready', { what: 'cluster client ready' });
        const slots = (await client.call('CLUSTER', 'SLOTS')) as [number, number, unknown][];
        expect(slots).toHaveLength(3);
        expect(slots.reduce((n, [from, to]) => n + to - from + 1, 0)).toBe(16384);
        expect(client.isCluster).toBe(true);
      } finally {
        client.disconnect();
      }
    } finally {
      await cluster.stop();
    }
    for (const pid of cluster.pids) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    for (const dir of cluster.dirs) expect(existsSync(dir), dir).toBe(false);
  });

  it('goes away with its process on Ctrl-C (SIGINT): servers killed, directories removed', async () => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'redis-cluster-holder.ts')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackChild(child);
    let out = '';
    child.stdout.on('data', (d) => {
      out += String(d);
    });
    child.stderr.on('data', (d) => {
      out += String(d);
    });
    const up = waitFor(
      () => {
        const line = /^cluster (\{.*\})$/m.exec(out)?.[1];
        return line ? (JSON.parse(line) as { pids: number[]; dirs: string[] }) : undefined;
      },
      { what: 'the holder up', timeoutMs: 90_000 },
    );
    // A holder that died will never be up: fail then, with what it said.
    const died = childExited(child).then(() => {
      throw new Error(
        `the holder exited (${child.exitCode ?? child.signalCode}) before its cluster was up: ${out}`,
      );
    });
    const held = await Promise.race([up, died]);
    died.catch(() => {});
    for (const pid of held.pids) expect(isAlive(pid)).toBe(true);
    child.kill('SIGINT');
    await childExited(child);
    expect(out).toMatch(/stopped; nothing left behind/);
    for (const pid of held.pids) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    for (const dir of held.dirs) expect(existsSync(dir), dir).toBe(false);
  });
});
