import { request } from 'node:http';
import { startPrivateRedis } from '@bridge/testbed';
import { describe, expect, it } from 'vitest';
import { SECRET, startTestApi } from './harness.ts';
import { apiTest, delivery } from './webhook-fixtures.ts';

// Errors: bodies that are too big or malformed change nothing; a Redis that is down or hangs gets a quick 503.

describe('POST /faceit-webhook: refused deliveries change nothing', () => {
  apiTest('413 for a body over 1 MiB', async ({ api }) => {
    const big = { ...delivery('match_status_ready'), padding: 'x'.repeat(1024 * 1024) };
    const res = await api.post(big);
    expect(res.status).toBe(413);
    expect((await res.json()).error).toBe('payload_too_large');
    expect(await api.enqueued()).toBe(0);
  });

  apiTest('413 for a chunked body over 1 MiB (no Content-Length)', async ({ api }) => {
    // fetch gives up once the server answers early and closes; node:http lets us read that answer.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${api.url}/faceit-webhook`, {
        method: 'POST',
        headers: {
          'x-faceit-webhook-secret': SECRET,
          'content-type': 'application/json',
          'transfer-encoding': 'chunked',
        },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', (err) => (req.writableEnded ? undefined : reject(err)));
      const chunk = 'x'.repeat(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 20) {
          sent++;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(413);
    expect(await api.enqueued()).toBe(0);
  });

  apiTest('400 for a body that is not JSON', async ({ api }) => {
    const res = await api.post('{"event": ');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_json' });
  });

  apiTest('400 naming the field for an envelope that fails the schema', async ({ api }) => {
    const { event_id: _dropped, ...noEventId } = delivery('match_status_ready');
    const res = await api.post(noEventId);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toBe('invalid_envelope');
    expect(body.message).toMatch(/^event_id: /);
    expect(body.issues[0].path).toBe('event_id');

    const badPayload = delivery('match_status_ready', { payload: { teams: [] } });
    const res2 = await api.post(badPayload);
    expect(res2.status).toBe(400);
    expect((await res2.json()).message).toMatch(/^payload\.id: /);

    const wrongType = delivery('match_status_ready', { retry_count: 'zero' });
    expect((await (await api.post(wrongType)).json()).issues[0].path).toBe('retry_count');
    expect(await api.enqueued()).toBe(0);
  });
});

/**
 * The time a trivial request to the same API takes right now (the slowest of three `/healthz`). The
 * "under a second" checks allow for it: on a loaded machine every round trip is slower, while a 503
 * that waited on Redis (seconds, or forever) still fails them.
 */
async function overheadMs(url: string): Promise<number> {
  let worst = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await (await fetch(`${url}/healthz`)).arrayBuffer();
    worst = Math.max(worst, performance.now() - t0);
  }
  return worst;
}

describe('Redis unreachable', () => {
  it('answers 503 in under a second when nothing listens at REDIS_URL, and /readyz is 503', async () => {
    const down = await startTestApi({ redisUrl: 'redis://127.0.0.1:1', waitReady: false });
    try {
      const overhead = await overheadMs(down.url);
      const started = performance.now();
      const res = await down.post(delivery('match_status_ready'));
      const elapsed = performance.now() - started;
      expect(res.status).toBe(503);
      expect(elapsed).toBeLessThan(1000 + overhead);
      expect((await fetch(`${down.url}/readyz`)).status).toBe(503);
      expect((await fetch(`${down.url}/healthz`)).status).toBe(200);
    } finally {
      await down.stop();
    }
  });

  it('answers 503 within a second when Redis hangs (connected, not answering), and accepts once it answers', async () => {
    const redis = await startPrivateRedis();
    const svc = await startTestApi({ redisUrl: redis.url });
    const { Redis } = await import('ioredis');
    const admin = new Redis(redis.url);
    try {
      const overhead = await overheadMs(svc.url);
      // Long enough to outlast a slow moment of this machine; UNPAUSE ends it below.
      await admin.call('CLIENT', 'PAUSE', '20000', 'WRITE');
      const hung = delivery('match_status_ready');
      const started = performance.now();
      const res = await svc.post(hung);
      expect(res.status).toBe(503);
      expect(performance.now() - started).toBeLessThan(1000 + overhead);
      await admin.call('CLIENT', 'UNPAUSE');
      const retried = await svc.post({ ...hung, retry_count: 1 });
      expect(retried.status).toBe(202);
      expect((await svc.job(`match_status_ready-${hung.payload.id}-v${hung.payload.version}`)).name).toBe(
        'matchCreated',
      );
    } finally {
      admin.disconnect();
      await svc.stop();
      await redis.stop();
    }
  });

  it('answers 503 while a running Redis is stopped, and accepts again (losing nothing) once it is back', async () => {
    const redis = await startPrivateRedis();
    const svc = await startTestApi({ redisUrl: redis.url });
    try {
      const before = delivery('match_status_ready');
      expect((await svc.post(before)).status).toBe(202);

      await redis.stop();
      const during = delivery('match_status_configuring');
      const overhead = await overheadMs(svc.url);
      const started = performance.now();
      const res = await svc.post(during);
      expect(res.status).toBe(503);
      expect(performance.now() - started).toBeLessThan(1000 + overhead);
      expect((await fetch(`${svc.url}/readyz`)).status).toBe(503);

      // Redis comes back empty (no persistence here): FACEIT retries the 503'd delivery.
      await redis.start();
      const { waitFor } = await import('@bridge/testbed');
      await waitFor(async () => (await fetch(`${svc.url}/readyz`)).status === 200, {
        what: 'api ready again',
      });
      const retried = await svc.post({ ...during, retry_count: 1 });
      expect(retried.status).toBe(202);
      expect(
        (await svc.job(`match_status_configuring-${during.payload.id}-v${during.payload.version}`)).data
          .retryCount,
      ).toBe(1);
    } finally {
      await svc.stop();
      await redis.stop();
    }
  });
});
