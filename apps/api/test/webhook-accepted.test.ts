import { describe, expect } from 'vitest';
import { SECRET } from './harness.ts';
import { apiTest, delivery, finished, ready } from './webhook-fixtures.ts';

// The happy path: deliveries FACEIT really sends are accepted once and become jobs; the API is healthy.

describe('POST /faceit-webhook: accepted deliveries', () => {
  apiTest('enqueues matchCreated for a real match_status_ready delivery and answers 202', async ({ api }) => {
    const res = await api.post(ready);
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body).toEqual({
      status: 'accepted',
      jobId: `match_status_ready-${ready.payload.id}-v${ready.payload.version}`,
    });
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

  apiTest('enqueues matchFinished for a real match_status_finished delivery', async ({ api }) => {
    const res = await api.post(finished);
    expect(res.status).toBe(202);
    const job = await api.job(`match_status_finished-${finished.payload.id}-v${finished.payload.version}`);
    expect(job.name).toBe('matchFinished');
    expect(job.queueName).toBe('cleanup');
  });

  apiTest.for([
    ['match_object_created', 'matchCreated', 'matches'],
    ['match_status_configuring', 'matchCreated', 'matches'],
    ['match_status_ready', 'matchCreated', 'matches'],
    ['match_status_finished', 'matchFinished', 'cleanup'],
    ['match_status_cancelled', 'matchFinished', 'cleanup'],
    ['match_status_aborted', 'matchFinished', 'cleanup'],
    ['match_demo_ready', 'matchDemoReady', 'matches'],
  ] as const)('maps %s to a %s job on queue %s', async ([event, jobName, queue], { api }) => {
    const res = await api.post(delivery(event));
    expect(res.status).toBe(202);
    const { jobId } = await res.json();
    const job = await api.job(jobId);
    expect(job.name).toBe(jobName);
    expect(job.queueName).toBe(queue);
  });

  apiTest(
    'leaves exactly one job for 5 concurrent identical deliveries, all answered 2xx',
    async ({ api }) => {
      const body = delivery('match_status_configuring');
      const responses = await Promise.all(Array.from({ length: 5 }, () => api.post(body)));
      expect(responses.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
      await api.drained();
      // A configuring match's job waits behind ready and ending ones: BullMQ keeps it as 'prioritized'.
      expect(await api.queues.matches.getJobCounts('waiting', 'prioritized', 'delayed', 'active')).toEqual({
        waiting: 0,
        prioritized: 1,
        delayed: 0,
        active: 0,
      });
    },
  );

  apiTest(
    'answers a redelivery (same event, retry_count + 1) with 2xx and enqueues nothing new',
    async ({ api }) => {
      const first = delivery('match_status_ready');
      expect((await api.post(first)).status).toBe(202);
      const retry = { ...first, retry_count: 1 };
      expect((await api.post(retry)).status).toBe(202);
      await api.drained();
      expect(await api.queues.matches.count()).toBe(1);
      const job = await api.job(`match_status_ready-${first.payload.id}-v${first.payload.version}`);
      expect(job.data.retryCount).toBe(0);
    },
  );

  apiTest('answers 202 "ignored" for an event it does not act on, and enqueues nothing', async ({ api }) => {
    const res = await api.post(delivery('hub_user_added'));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'ignored', event: 'hub_user_added' });
    expect(await api.enqueued()).toBe(0);
    expect(api.logs.some((l) => l.outcome === 'ignored' && l.event === 'hub_user_added')).toBe(true);
  });

  apiTest(
    'keeps what the worker needs of a payload: a cancel’s reason and AFK players, a demo, a forfeit',
    async ({ api }) => {
      const cases = [
        [
          'match_status_cancelled',
          { reason: 'MANUAL', players: [], afk: ['a-nick'] },
          { reason: 'MANUAL', afk: [{ nickname: 'a-nick' }] },
        ],
        [
          'match_status_finished',
          { started_at: '1970-01-01T00:00:00Z' },
          { startedAt: '1970-01-01T00:00:00Z' },
        ],
        ['match_demo_ready', { demo_url: 'https://d/x-1-2.dem.gz' }, { demoUrl: 'https://d/x-1-2.dem.gz' }],
      ] as const;
      for (const [event, extra, details] of cases) {
        const body = delivery(event, { payload: { ...ready.payload, ...extra } });
        const { jobId } = await (await api.post(body)).json();
        expect((await api.job(jobId)).data.details, event).toEqual(details);
      }
    },
  );

  apiTest(
    'accepts a delivery whose teams[] changed shape: rosters come from the Data API, not from here',
    async ({ api }) => {
      const odd = delivery('match_status_ready', {
        payload: { ...ready.payload, id: `1-${crypto.randomUUID()}`, teams: [{ roster: [{ id: 42 }] }] },
      });
      const res = await api.post(odd);
      expect(res.status).toBe(202);
      expect((await api.job(`match_status_ready-${odd.payload.id}-v${odd.payload.version}`)).name).toBe(
        'matchCreated',
      );
    },
  );

  apiTest("answers with a request id: the caller's own, or a fresh one", async ({ api }) => {
    const mine = await api.post(delivery('match_status_ready'), { 'x-request-id': 'faceit-req-1' });
    expect(mine.headers.get('x-request-id')).toBe('faceit-req-1');
    const fresh = await api.post(delivery('match_status_ready'));
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const odd = await api.post(delivery('match_status_ready'), { 'x-request-id': 'x'.repeat(500) });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const refused = await api.post(ready, { 'x-faceit-webhook-secret': 'wrong' });
    expect(refused.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  apiTest(
    'logs the match id, event id and job id of an accepted delivery, never the secret',
    async ({ api }) => {
      const body = delivery('match_status_ready');
      await api.post(body);
      const line = api.logs.find((l) => l.outcome === 'accepted' && l.eventId === body.event_id);
      expect(line).toMatchObject({
        matchId: body.payload.id,
        jobId: `match_status_ready-${body.payload.id}-v${body.payload.version}`,
      });
      expect(JSON.stringify(api.logs)).not.toContain(SECRET);
    },
  );
});

describe('health', () => {
  apiTest('/healthz and /readyz answer 200 when Redis is up', async ({ api }) => {
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    const res = await fetch(`${api.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready' });
  });
});
