import { connect } from 'node:net';
import { matchJobId } from '@bridge/core';
import { describe, expect, it } from 'vitest';
import { SECRET, startTestApi } from './harness.ts';
import { apiTest, delivery } from './webhook-fixtures.ts';

// What one delivery may cost: bounded fields, bounded metric series, a bounded intake that refuses
// (503, FACEIT redelivers) rather than drops, and a refused sender who cannot keep a connection busy.

describe('POST /faceit-webhook: bounded envelope', () => {
  apiTest('400 naming the field for a 400 kB event_id, and nothing stored', async ({ api }) => {
    const res = await api.post(delivery('match_status_ready', { event_id: 'e'.repeat(400_000) }));
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body).toMatchObject({
      error: 'invalid_envelope',
      message: 'event_id: must be at most 128 characters',
    });
    expect(JSON.stringify(body).length).toBeLessThan(1000);
    expect(await api.enqueued()).toBe(0);
    expect(JSON.stringify(api.logs)).not.toContain('e'.repeat(200));
  });

  apiTest('every envelope string has a bound the 400 names', async ({ api }) => {
    for (const [field, max] of [
      ['transaction_id', 128],
      ['event', 64],
      ['event_id', 128],
      ['timestamp', 64],
      ['third_party_id', 128],
      ['app_id', 128],
    ] as const) {
      const res = await api.post(delivery('match_status_ready', { [field]: 'x'.repeat(max + 1) }));
      expect(res.status, field).toBe(400);
      expect((await res.json()).message).toBe(`${field}: must be at most ${max} characters`);
      const fits = await api.post(delivery('match_status_ready', { [field]: 'x'.repeat(max) }));
      expect(fits.status, `${field} at its bound`).toBe(202);
    }
    expect((await api.post(delivery('match_status_ready', { retry_count: 1e12 }))).status).toBe(400);
  });

  apiTest('60 made-up event names are one metric series, not 60', async ({ api }) => {
    const ignoredSeries = async () =>
      (await api.metrics.registry.metrics())
        .split('\n')
        .filter((l) => l.startsWith('bridge_webhooks_total') && l.includes('"ignored"'));
    const countOf = (lines: string[]) => Number(lines[0]?.split(' ').at(-1) ?? 0);
    const before = countOf(await ignoredSeries());
    for (let i = 0; i < 60; i++) {
      const res = await api.post(delivery(`made_up_event_${i}_${crypto.randomUUID()}`));
      expect(res.status).toBe(202);
    }
    const after = await ignoredSeries();
    expect(after.length).toBe(1);
    expect(after[0]).toMatch(/^bridge_webhooks_total\{event="other",outcome="ignored",app="api"\} \d+$/);
    expect(countOf(after) - before).toBe(60);
    expect(await api.metrics.registry.metrics()).not.toContain('made_up_event');
  });
});

describe('intake backlog limit (INTAKE_BACKLOG_LIMIT)', () => {
  it('answers 503 over the limit while no worker relays, stores exactly the events it accepted, and loses none', async () => {
    const api = await startTestApi({ backlogLimit: 20, relay: false });
    try {
      const events = Array.from({ length: 26 }, () =>
        delivery('match_status_ready', {
          payload: { ...delivery('match_status_ready').payload, id: `1-${crypto.randomUUID()}` },
        }),
      );
      // Concurrently, so that some share one append: each one's answer must say what happened to it.
      const answers = await Promise.all(events.map((e) => api.post(e)));
      const accepted = events.filter((_, i) => answers[i]?.status === 202);
      const refused = events.filter((_, i) => answers[i]?.status === 503);
      expect(accepted.length).toBe(20);
      expect(refused.length).toBe(6);
      const refusal = answers.find((a) => a.status === 503)!;
      expect(await refusal.json()).toMatchObject({ error: 'backlog_full' });
      expect(refusal.headers.get('retry-after')).toBe('30');
      expect(await api.intake.backlog()).toBe(20);
      const text = await api.metrics.registry.metrics();
      expect(text).toContain(
        'bridge_webhooks_total{event="match_status_ready",outcome="backlog_full",app="api"} 6',
      );
      expect(api.logs.filter((l) => l.outcome === 'backlog_full').length).toBe(1);

      // A worker relays again: every accepted event becomes its job, and FACEIT's redeliveries of the
      // refused ones are accepted now.
      api.startRelay();
      await api.drained();
      for (const e of accepted)
        expect((await api.job(matchJobId(e.payload.id, 'match_status_ready', e.payload.version))).name).toBe(
          'matchCreated',
        );
      for (const e of refused) expect((await api.post({ ...e, retry_count: 1 })).status).toBe(202);
      await api.drained();
      expect(await api.queues.matches.count()).toBe(26);
    } finally {
      await api.stop();
    }
  });
});

describe('a refused sender', () => {
  apiTest(
    'gets a 401 that names no header or parameter, and the connection is closed, not drained',
    async ({ api }) => {
      const res = await fetch(`${api.url}/faceit-webhook`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'unauthorized', message: 'missing or wrong secret' });

      // A client that announces 100 MB and keeps sending: the answer comes at once and the socket closes.
      const { port } = new URL(api.url);
      const outcome = await new Promise<{ head: string; closed: boolean }>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1');
        let head = '';
        const timer = setTimeout(() => resolve({ head, closed: false }), 20_000);
        socket.on('data', (d) => {
          head += d.toString();
        });
        socket.on('close', () => {
          clearTimeout(timer);
          resolve({ head, closed: true });
        });
        socket.on('error', (err) => (head ? undefined : reject(err)));
        socket.write(
          `POST /faceit-webhook HTTP/1.1\r\nHost: x\r\nx-faceit-webhook-secret: nope\r\ncontent-type: application/json\r\ncontent-length: 100000000\r\n\r\n`,
        );
        const chunk = Buffer.alloc(64 * 1024, 120);
        const pump = () => {
          while (!socket.destroyed && socket.write(chunk)) {}
          if (!socket.destroyed) socket.once('drain', pump);
        };
        pump();
      });
      expect(outcome.head).toMatch(/^HTTP\/1\.1 401/);
      expect(outcome.head.toLowerCase()).toContain('connection: close');
      expect(outcome.closed).toBe(true);
      expect(SECRET).toBeTruthy();
    },
  );
});
