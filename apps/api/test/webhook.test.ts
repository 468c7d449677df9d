import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { type FaceitEmulator, startFaceitEmulator } from '@bridge/sandbox';
import { startPrivateRedis } from '@bridge/testbed';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SECRET, startTestApi, type TestApi } from './harness.ts';

const samples = join(import.meta.dirname, '../../../fixtures/faceit-samples');
const ready = JSON.parse(
  readFileSync(join(samples, 'match_status_ready__nhamonin_faceit-statistics.json'), 'utf8'),
);
const finished = JSON.parse(readFileSync(join(samples, 'match_status_finished__ubqm_botesee.json'), 'utf8'));

function delivery(event: string, overrides: Record<string, unknown> = {}) {
  return {
    ...structuredClone(ready),
    event,
    event_id: crypto.randomUUID(),
    transaction_id: crypto.randomUUID(),
    ...overrides,
  };
}

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.stop();
});
afterEach(async () => {
  await api.drained();
  await api.queues.matches.obliterate({ force: true });
});

describe('POST /faceit-webhook: accepted deliveries', () => {
  it('enqueues matchCreated for a real match_status_ready delivery and answers 202', async () => {
    const res = await api.post(ready);
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body).toEqual({ status: 'accepted', jobId: `match_status_ready-${ready.payload.id}` });
    const job = await api.job(body.jobId);
    expect(job.name).toBe('matchCreated');
    expect(job?.data).toMatchObject({
      matchId: ready.payload.id,
      event: 'match_status_ready',
      eventId: ready.event_id,
      transactionId: ready.transaction_id,
      retryCount: 0,
      payloadVersion: 16,
    });
    // No roster PII in job data: only what the worker needs.
    expect(JSON.stringify(job?.data)).not.toContain('nickname');
  });

  it('enqueues matchFinished for a real match_status_finished delivery', async () => {
    const res = await api.post(finished);
    expect(res.status).toBe(202);
    const job = await api.job(`match_status_finished-${finished.payload.id}`);
    expect(job.name).toBe('matchFinished');
  });

  it.each([
    ['match_object_created', 'matchCreated'],
    ['match_status_configuring', 'matchCreated'],
    ['match_status_ready', 'matchCreated'],
    ['match_status_finished', 'matchFinished'],
    ['match_status_cancelled', 'matchFinished'],
    ['match_status_aborted', 'matchFinished'],
  ])('maps %s to a %s job', async (event, jobName) => {
    const res = await api.post(delivery(event));
    expect(res.status).toBe(202);
    const { jobId } = await res.json();
    expect((await api.job(jobId)).name).toBe(jobName);
  });

  it('leaves exactly one job for 5 concurrent identical deliveries, all answered 2xx', async () => {
    const body = delivery('match_status_configuring');
    const responses = await Promise.all(Array.from({ length: 5 }, () => api.post(body)));
    expect(responses.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    await api.drained();
    expect(await api.queues.matches.getJobCounts('waiting', 'delayed', 'active')).toEqual({
      waiting: 1,
      delayed: 0,
      active: 0,
    });
  });

  it('answers a redelivery (same event, retry_count + 1) with 2xx and enqueues nothing new', async () => {
    const first = delivery('match_status_ready');
    expect((await api.post(first)).status).toBe(202);
    const retry = { ...first, retry_count: 1 };
    expect((await api.post(retry)).status).toBe(202);
    await api.drained();
    expect(await api.queues.matches.count()).toBe(1);
    const job = await api.job(`match_status_ready-${first.payload.id}`);
    expect(job.data.retryCount).toBe(0);
  });

  it('answers 202 "ignored" for an event it does not act on, and enqueues nothing', async () => {
    const res = await api.post(delivery('match_demo_ready'));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'ignored', event: 'match_demo_ready' });
    expect(await api.enqueued()).toBe(0);
    expect(api.logs.some((l) => l.outcome === 'ignored' && l.event === 'match_demo_ready')).toBe(true);
  });

  it('accepts a delivery whose teams[] changed shape: rosters come from the Data API, not from here', async () => {
    const odd = delivery('match_status_ready', {
      payload: { ...ready.payload, id: `1-${crypto.randomUUID()}`, teams: [{ roster: [{ id: 42 }] }] },
    });
    const res = await api.post(odd);
    expect(res.status).toBe(202);
    expect((await api.job(`match_status_ready-${odd.payload.id}`)).name).toBe('matchCreated');
  });

  it("answers with a request id: the caller's own, or a fresh one", async () => {
    const mine = await api.post(delivery('match_status_ready'), { 'x-request-id': 'faceit-req-1' });
    expect(mine.headers.get('x-request-id')).toBe('faceit-req-1');
    const fresh = await api.post(delivery('match_status_ready'));
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const odd = await api.post(delivery('match_status_ready'), { 'x-request-id': 'x'.repeat(500) });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const refused = await api.post(ready, { 'x-faceit-webhook-secret': 'wrong' });
    expect(refused.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs the match id, event id and job id of an accepted delivery, never the secret', async () => {
    const body = delivery('match_status_ready');
    await api.post(body);
    const line = api.logs.find((l) => l.outcome === 'accepted' && l.eventId === body.event_id);
    expect(line).toMatchObject({ matchId: body.payload.id, jobId: `match_status_ready-${body.payload.id}` });
    expect(JSON.stringify(api.logs)).not.toContain(SECRET);
  });
});

describe('POST /faceit-webhook: refused deliveries change nothing', () => {
  it('401 without the secret header', async () => {
    const res = await api.post(ready, { 'x-faceit-webhook-secret': '' });
    expect(res.status).toBe(401);
    const res2 = await fetch(`${api.url}/faceit-webhook`, { method: 'POST', body: JSON.stringify(ready) });
    expect(res2.status).toBe(401);
    expect((await res2.json()).message).toMatch(/x-faceit-webhook-secret/);
    expect(await api.enqueued()).toBe(0);
  });

  it('401 with a wrong secret, also one of the same length', async () => {
    expect((await api.post(ready, { 'x-faceit-webhook-secret': 'wrong' })).status).toBe(401);
    const sameLength = SECRET.slice(0, -1) + (SECRET.endsWith('9') ? '8' : '9');
    expect((await api.post(ready, { 'x-faceit-webhook-secret': sameLength })).status).toBe(401);
    expect(await api.enqueued()).toBe(0);
  });

  it('413 for a body over 1 MiB', async () => {
    const big = { ...delivery('match_status_ready'), padding: 'x'.repeat(1024 * 1024) };
    const res = await api.post(big);
    expect(res.status).toBe(413);
    expect((await res.json()).error).toBe('payload_too_large');
    expect(await api.enqueued()).toBe(0);
  });

  it('413 for a chunked body over 1 MiB (no Content-Length)', async () => {
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

  it('400 for a body that is not JSON', async () => {
    const res = await api.post('{"event": ');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_json' });
  });

  it('400 naming the field for an envelope that fails the schema', async () => {
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

describe('health', () => {
  it('/healthz and /readyz answer 200 when Redis is up', async () => {
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    const res = await fetch(`${api.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready' });
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
      expect((await svc.job(`match_status_ready-${hung.payload.id}`)).name).toBe('matchCreated');
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
      expect((await svc.job(`match_status_configuring-${during.payload.id}`)).data.retryCount).toBe(1);
    } finally {
      await svc.stop();
      await redis.stop();
    }
  });
});

describe('the secret in a query parameter (FACEIT_WEBHOOK_QUERY_PARAM)', () => {
  let q: TestApi;
  let faceit: FaceitEmulator;
  beforeAll(async () => {
    q = await startTestApi({ queryParam: 'auth' });
    faceit = await startFaceitEmulator();
  });
  afterAll(async () => {
    await faceit?.close();
    await q?.stop();
  });
  const postQuery = (body: unknown, query: string, headers: Record<string, string> = {}) =>
    fetch(`${q.url}/faceit-webhook?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('accepts a delivery the emulator sends with the secret in the query instead of a header', async () => {
    const a = faceit.seedPlayer({ nickname: 'q_a' });
    const b = faceit.seedPlayer({ nickname: 'q_b' });
    const match = faceit.seedMatch({ faction1: [a.id], faction2: [b.id] });
    const [res] = await faceit.play(
      { url: `${q.url}/faceit-webhook`, secret: SECRET, query: 'auth' },
      match.id,
      ['match_status_ready'],
    );
    expect(res?.status).toBe(202);
    expect((await q.job(`match_status_ready-${match.id}`)).name).toBe('matchCreated');
  });

  it('accepts the secret in the header or in the query parameter; refuses a wrong one in either', async () => {
    const fresh = () =>
      delivery('match_status_ready', { payload: { ...ready.payload, id: `1-${crypto.randomUUID()}` } });
    const viaQuery = fresh();
    expect((await postQuery(viaQuery, `auth=${encodeURIComponent(SECRET)}`)).status).toBe(202);
    const viaHeader = fresh();
    expect((await q.post(viaHeader)).status).toBe(202);
    // A right secret in one place is enough even if the other carries something else.
    const both = fresh();
    expect(
      (await postQuery(both, `auth=${encodeURIComponent(SECRET)}`, { 'x-faceit-webhook-secret': 'x' }))
        .status,
    ).toBe(202);
    for (const d of [viaQuery, viaHeader, both]) {
      expect((await q.job(`match_status_ready-${d.payload.id}`)).name).toBe('matchCreated');
    }
    await q.drained();
    const before = await q.queues.matches.count();

    const sameLength = SECRET.slice(0, -1) + (SECRET.endsWith('9') ? '8' : '9');
    const wrong = await postQuery(fresh(), `auth=${sameLength}`);
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).message).toBe(
      'missing or wrong secret (x-faceit-webhook-secret header or auth query parameter)',
    );
    // Another parameter name does not count.
    expect((await postQuery(fresh(), `token=${encodeURIComponent(SECRET)}`)).status).toBe(401);
    expect(await q.enqueued()).toBe(before);
  });

  it('logs a 401 at warn naming which mechanisms were present, never a value', async () => {
    const wrongValue = 'wrong-secret-value-4711';
    const cases: { query: string; headers: Record<string, string>; secretIn: string[]; msg: string }[] = [
      { query: '', headers: {}, secretIn: [], msg: 'webhook refused: no secret sent' },
      {
        query: 'auth=',
        headers: { 'x-faceit-webhook-secret': '' },
        secretIn: [],
        msg: 'webhook refused: no secret sent',
      },
      {
        query: `auth=${wrongValue}`,
        headers: {},
        secretIn: ['query:auth'],
        msg: 'webhook refused: wrong secret',
      },
      {
        query: '',
        headers: { 'x-faceit-webhook-secret': wrongValue },
        secretIn: ['header:x-faceit-webhook-secret'],
        msg: 'webhook refused: wrong secret',
      },
      {
        query: `auth=${wrongValue}`,
        headers: { 'x-faceit-webhook-secret': wrongValue },
        secretIn: ['header:x-faceit-webhook-secret', 'query:auth'],
        msg: 'webhook refused: wrong secret',
      },
    ];
    for (const c of cases) {
      const res = await postQuery(delivery('match_status_ready'), c.query, c.headers);
      expect(res.status).toBe(401);
      const requestId = res.headers.get('x-request-id');
      const line = q.logs.find((l) => l.requestId === requestId);
      expect(line).toMatchObject({ level: 40, outcome: 'unauthorized', secretIn: c.secretIn, msg: c.msg });
    }
    expect(JSON.stringify(q.logs)).not.toContain(wrongValue);
  });

  it('never writes the secret from a query string to a log line: accepted, refused, invalid or unrouted', async () => {
    const secretQuery = `auth=${encodeURIComponent(SECRET)}`;
    expect((await postQuery(delivery('match_status_ready'), secretQuery)).status).toBe(202);
    expect((await postQuery(delivery('match_status_ready', { event_id: 7 }), secretQuery)).status).toBe(400);
    const notJson = await fetch(`${q.url}/faceit-webhook?${secretQuery}`, { method: 'POST', body: '{' });
    expect(notJson.status).toBe(400);
    expect((await fetch(`${q.url}/faceit-webhook/nope?${secretQuery}`, { method: 'POST' })).status).toBe(404);
    const notFound = await fetch(`${q.url}/faceit-webhook/nope?${secretQuery}`, { method: 'POST' });
    expect(JSON.stringify(await notFound.json())).not.toContain(SECRET);
    expect(q.logs.length).toBeGreaterThan(0);
    expect(JSON.stringify(q.logs)).not.toContain(SECRET);
    expect(JSON.stringify(q.logs)).not.toContain(encodeURIComponent(SECRET));
  });
});
