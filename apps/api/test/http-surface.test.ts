import { connect } from 'node:net';
import { startPrivateRedis, waitFor } from '@bridge/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_TIMEOUTS } from '../src/server.ts';
import { startTestApi, type TestApi } from './harness.ts';

// What anyone on the internet reaches: no metrics, a /readyz that costs nothing, timeouts that free a
// slow client's socket, and bad requests that do not flood the log.

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ sampleWindowMs: 1000 });
});
afterAll(async () => {
  await api?.stop();
});

describe('metrics on the internal listener only', () => {
  it('the public port answers /metrics 404; the internal one serves the metrics', async () => {
    await api.post({ nope: true });
    expect((await fetch(`${api.url}/metrics`)).status).toBe(404);
    const res = await fetch(`${api.metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/bridge_webhooks_total\{event="unknown",outcome="invalid",app="api"\} \d+/);
    expect(text).toContain('process_resident_memory_bytes');
    expect((await fetch(`${api.metricsUrl}/faceit-webhook`, { method: 'POST' })).status).toBe(404);
  });
});

describe('/readyz', () => {
  it('says only ready or not, and 100 calls cost Redis one PING a second at most', async () => {
    // A Redis of its own, so the command counts are this API's alone.
    const redisServer = await startPrivateRedis();
    const own = await startTestApi({ redisUrl: redisServer.url });
    const stats = async () => {
      const info = String(await own.redis.info('commandstats'));
      const calls = (cmd: string) => Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
      return { ping: calls('ping'), scripts: calls('eval') + calls('evalsha') };
    };
    try {
      const before = await stats();
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: 100 }, () => fetch(`${own.url}/readyz`)));
      const seconds = Math.ceil((Date.now() - started) / 1000);
      for (const a of answers) {
        expect(a.status).toBe(200);
        expect(await a.json()).toEqual({ status: 'ready' });
      }
      const after = await stats();
      expect(after.ping - before.ping).toBeLessThanOrEqual(seconds + 1);
      expect(after.scripts - before.scripts).toBe(0);

      // Not ready: a fixed body; why is in the log, once.
      await redisServer.stop();
      await waitFor(async () => (await fetch(`${own.url}/readyz`)).status === 503, { what: '503' });
      const down = await fetch(`${own.url}/readyz`);
      expect(await down.json()).toEqual({ status: 'unavailable' });
      const notReady = own.logs.filter((l) => l.msg === 'not ready: redis does not answer');
      expect(notReady.length).toBe(1);
    } finally {
      await own.stop();
      await redisServer.stop();
    }
  });
});

describe('server timeouts', () => {
  it('are set on the Node server: headers 10 s, whole request 15 s, keep-alive 5 s', () => {
    expect(api.server.headersTimeout).toBe(SERVER_TIMEOUTS.headersTimeoutMs);
    expect(api.server.requestTimeout).toBe(SERVER_TIMEOUTS.requestTimeoutMs);
    expect(api.server.keepAliveTimeout).toBe(SERVER_TIMEOUTS.keepAliveTimeoutMs);
    expect(api.server.maxRequestsPerSocket).toBe(SERVER_TIMEOUTS.maxRequestsPerSocket);
  });

  it('close the socket of a client that never finishes its headers', async () => {
    const slow = await startTestApi({ timeouts: { headersTimeoutMs: 1000, requestTimeoutMs: 2000 } });
    try {
      const { port } = new URL(slow.url);
      const started = Date.now();
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1');
        let data = '';
        socket.on('data', (d) => {
          data += d.toString();
        });
        socket.on('close', () => resolve(data));
        socket.on('error', reject);
        // A header line, then nothing more (what a slowloris does).
        socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      await slow.stop();
    }
  });
});

describe('bad unauthenticated requests do not flood the log', () => {
  it('500 bad link and callback URLs write a handful of lines that still count them all', async () => {
    const before = api.logs.length;
    const started = Date.now();
    for (let round = 0; round < 10; round++) {
      await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          Promise.all([
            fetch(`${api.url}/faceit/callback?code=a${i}&state=not-a-state-${round}-${i}`),
            fetch(`${api.url}/faceit/link/start?t=${'A'.repeat(43)}`),
          ]),
        ),
      );
    }
    const seconds = Math.ceil((Date.now() - started) / 1000);
    api.sampledLog.flush();
    const lines = api.logs.slice(before);
    // Per kind: the first in full, then one count per window of a second.
    expect(lines.length).toBeLessThanOrEqual(2 * (2 + seconds));
    const refusals = (msg: string) =>
      lines
        .filter((l) => l.msg === msg)
        .reduce((n, l) => n + (typeof l.repeated === 'number' ? l.repeated : 1), 0);
    expect(refusals('oauth callback: unknown, expired or used state')).toBe(250);
    expect(refusals('link start: unknown, expired or used button')).toBe(250);
    expect(lines.find((l) => l.outcome === 'unknown_state' && l.repeated === undefined)).toMatchObject({
      level: 40,
      requestId: expect.any(String),
    });
  });
});
