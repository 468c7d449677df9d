import { type FaceitEmulator, startFaceitEmulator } from '@bridge/sandbox';
import { waitFor } from '@bridge/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET, startTestApi, type TestApi } from './harness.ts';
import { apiTest, delivery, ready } from './webhook-fixtures.ts';

// Security: without the shared secret nothing is accepted, in a header or (opt-in) a query parameter, and the
// secret never reaches a log line.

describe('POST /faceit-webhook: refused without the secret', () => {
  apiTest('401 without the secret header', async ({ api }) => {
    const res = await api.post(ready, { 'x-faceit-webhook-secret': '' });
    expect(res.status).toBe(401);
    const res2 = await fetch(`${api.url}/faceit-webhook`, { method: 'POST', body: JSON.stringify(ready) });
    expect(res2.status).toBe(401);
    expect((await res2.json()).message).toBe('missing or wrong secret');
    expect(await api.enqueued()).toBe(0);
  });

  apiTest('401 with a wrong secret, also one of the same length', async ({ api }) => {
    expect((await api.post(ready, { 'x-faceit-webhook-secret': 'wrong' })).status).toBe(401);
    const sameLength = SECRET.slice(0, -1) + (SECRET.endsWith('9') ? '8' : '9');
    expect((await api.post(ready, { 'x-faceit-webhook-secret': sameLength })).status).toBe(401);
    expect(await api.enqueued()).toBe(0);
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
    expect((await q.job(`match_status_ready-${match.id}-v${res?.envelope.payload.version}`)).name).toBe(
      'matchCreated',
    );
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
      expect((await q.job(`match_status_ready-${d.payload.id}-v${d.payload.version}`)).name).toBe(
        'matchCreated',
      );
    }
    await q.drained();
    const before = await q.queues.matches.count();

    const sameLength = SECRET.slice(0, -1) + (SECRET.endsWith('9') ? '8' : '9');
    const wrong = await postQuery(fresh(), `auth=${sameLength}`);
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).message).toBe('missing or wrong secret');
    // Another parameter name does not count.
    expect((await postQuery(fresh(), `token=${encodeURIComponent(SECRET)}`)).status).toBe(401);
    expect(await q.enqueued()).toBe(before);
  });

  it('logs a 401 at warn naming which mechanisms were present, never a value; repeats are counted', async () => {
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
    const fresh = await startTestApi({ queryParam: 'auth' });
    try {
      const requestIds: (string | null)[] = [];
      for (const c of cases) {
        const res = await fetch(`${fresh.url}/faceit-webhook?${c.query}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...c.headers },
          body: JSON.stringify(delivery('match_status_ready')),
        });
        expect(res.status).toBe(401);
        requestIds.push(res.headers.get('x-request-id'));
      }
      // The first of each kind in full; the others only counted, in one line per kind and minute.
      for (const i of [0, 2]) {
        const line = fresh.logs.find((l) => l.requestId === requestIds[i]);
        expect(line).toMatchObject({
          level: 40,
          outcome: 'unauthorized',
          secretIn: cases[i]?.secretIn,
          msg: cases[i]?.msg,
        });
      }
      for (const i of [1, 3, 4]) expect(fresh.logs.some((l) => l.requestId === requestIds[i])).toBe(false);
      fresh.sampledLog.flush();
      const counted = fresh.logs.filter((l) => l.repeated !== undefined);
      expect(counted).toEqual([
        expect.objectContaining({ msg: 'webhook refused: no secret sent', repeated: 1, windowSec: 60 }),
        expect.objectContaining({ msg: 'webhook refused: wrong secret', repeated: 2, windowSec: 60 }),
      ]);
      expect(JSON.stringify(fresh.logs)).not.toContain(wrongValue);
    } finally {
      await fresh.stop();
    }
  });

  it('500 wrong-secret deliveries write a handful of lines, and the burst shows in the log and the metric', async () => {
    const burst = await startTestApi({ sampleWindowMs: 1000 });
    try {
      const metric = async () =>
        Number(
          /bridge_webhooks_total\{event="unknown",outcome="unauthorized",app="api"\} (\d+)/.exec(
            await burst.metrics.registry.metrics(),
          )?.[1] ?? 0,
        );
      const started = Date.now();
      for (let round = 0; round < 10; round++) {
        await Promise.all(
          Array.from({ length: 50 }, () =>
            burst.post(delivery('match_status_ready'), { 'x-faceit-webhook-secret': 'not-the-secret' }),
          ),
        );
      }
      const elapsedSec = (Date.now() - started) / 1000;
      expect(await metric()).toBe(500);
      // Within the first window: the first one in full; then, at each window's end, one count.
      await waitFor(() => burst.logs.some((l) => l.repeated !== undefined), { what: 'the count line' });
      burst.sampledLog.flush();
      const lines = burst.logs.filter((l) => String(l.msg).startsWith('webhook refused'));
      expect(lines.length).toBeLessThanOrEqual(2 + Math.ceil(elapsedSec));
      expect(lines[0]).toMatchObject({
        outcome: 'unauthorized',
        secretIn: ['header:x-faceit-webhook-secret'],
      });
      const total = lines.reduce((n, l) => n + (typeof l.repeated === 'number' ? l.repeated : 1), 0);
      expect(total).toBe(500);
    } finally {
      await burst.stop();
    }
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
