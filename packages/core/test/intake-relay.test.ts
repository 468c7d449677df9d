import { captureLogger, cleanupPrefix, REDIS_URL, testPrefix, waitFor } from '@bridge/testbed';
import { Worker } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createIntake,
  createProducerRedis,
  createQueues,
  createWorkerRedis,
  DEFAULT_JOB_OPTIONS,
  INTAKE_GROUP,
  type Intake,
  IntakeRelay,
  intakeKey,
  type MatchJobData,
  QUEUES,
  type RedisClient,
} from '../src/index.ts';

/** Job data as the API appends it, with the id the relay's job must get. */
function entry(
  matchId: string,
  event: 'match_status_ready' | 'match_status_finished' | 'match_status_configuring' = 'match_status_ready',
) {
  return {
    jobId: `${event}-${matchId}-v3`,
    data: {
      matchId,
      event,
      eventId: crypto.randomUUID(),
      transactionId: crypto.randomUUID(),
      retryCount: 0,
      payloadVersion: 3,
      occurredAt: new Date().toISOString(),
      receivedAt: new Date().toISOString(),
    } satisfies MatchJobData,
  };
}

let prefix: string;
let producer: RedisClient;
let worker: RedisClient;
let intake: Intake;
let queues: ReturnType<typeof createQueues>;
/** The set-up queue (matchCreated): what most of these tests look at. */
let queue: ReturnType<typeof createQueues>['matches'];
let logs: Record<string, unknown>[];
const relays: IntakeRelay[] = [];

function startRelay(opts: { claimIdleMs?: number } = {}) {
  const counts = { relayed: 0, invalid: 0 };
  const { log } = captureLogger('relay-test', logs);
  const relay = new IntakeRelay({
    connection: worker,
    prefix,
    queues,
    log,
    ...opts,
    onRelayed: (relayed, invalid) => {
      counts.relayed += relayed;
      counts.invalid += invalid;
    },
  });
  relays.push(relay);
  relay.start();
  return { relay, counts };
}

beforeEach(async () => {
  prefix = testPrefix('intake');
  producer = createProducerRedis(REDIS_URL);
  await waitFor(() => producer.status === 'ready', { what: 'redis ready' });
  worker = createWorkerRedis(REDIS_URL);
  intake = createIntake(producer, prefix);
  queues = createQueues(producer, prefix);
  queue = queues.matches;
  logs = [];
});
afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.close()));
  await Promise.all(Object.values(queues).map((q) => q.close()));
  producer.disconnect();
  worker.disconnect();
  await cleanupPrefix(REDIS_URL, prefix);
});

describe('intake relay', () => {
  it('turns accepted entries into jobs with the queue defaults (clean-up on its own queue), and empties the stream', async () => {
    const { counts } = startRelay();
    const a = entry('1-aaaa');
    const b = entry('1-bbbb', 'match_status_finished');
    await intake.push(a.data);
    await intake.push(b.data);
    await waitFor(async () => (await queue.count()) === 1 && (await queues.cleanup.count()) === 1, {
      what: 'a set-up job and a clean-up job',
    });
    const jobA = await queue.getJob(a.jobId);
    expect(jobA?.name).toBe('matchCreated');
    expect(jobA?.data).toEqual(a.data);
    expect(jobA?.opts.attempts).toBe(DEFAULT_JOB_OPTIONS.matches.attempts);
    const jobB = await queues.cleanup.getJob(b.jobId);
    expect(jobB?.name).toBe('matchFinished');
    expect(jobB?.opts.attempts).toBe(DEFAULT_JOB_OPTIONS.cleanup.attempts);
    await waitFor(async () => (await intake.backlog()) === 0, { what: 'stream emptied' });
    // The relay reports a batch once Redis has acknowledged it, a moment after the stream is empty.
    await waitFor(() => counts.relayed >= 2, { what: 'batch reported' });
    expect(counts).toEqual({ relayed: 2, invalid: 0 });
  });

  it('a ready match runs before matches that are only configuring, even if queued later', async () => {
    startRelay();
    const setup = [entry('1-cfg1', 'match_status_configuring'), entry('1-cfg2', 'match_status_configuring')];
    const ready = entry('1-rdy1');
    for (const e of [...setup, ready]) await intake.push(e.data);
    await waitFor(async () => (await queue.count()) === 3, { what: 'three jobs' });
    const order: string[] = [];
    const connection = createWorkerRedis(REDIS_URL);
    const w = new Worker(
      QUEUES.matches,
      async (job) => {
        order.push(job.id ?? '');
      },
      { connection, prefix, concurrency: 1 },
    );
    try {
      await waitFor(() => order.length === 3, { what: 'three jobs processed' });
    } finally {
      await w.close();
      connection.disconnect();
    }
    expect(order).toEqual([ready.jobId, setup[0]?.jobId, setup[1]?.jobId]);
  });

  it('keeps entries while no relay runs, and relays all of them once one starts', async () => {
    const entries = Array.from({ length: 450 }, (_, i) => entry(`1-${i}`));
    await Promise.all(entries.map((e) => intake.push(e.data)));
    expect(await intake.backlog()).toBe(450);
    startRelay();
    await waitFor(async () => (await queue.count()) === 450, { what: '450 jobs' });
    await waitFor(async () => (await intake.backlog()) === 0, { what: 'stream emptied' });
  });

  it('adds one job for duplicate entries of one event (FACEIT redeliveries)', async () => {
    const first = entry('1-dup');
    const redelivery = { ...first, data: { ...first.data, retryCount: 1 } };
    await intake.push(first.data);
    await intake.push(redelivery.data);
    startRelay();
    await waitFor(async () => (await intake.backlog()) === 0, { what: 'stream emptied' });
    expect(await queue.count()).toBe(1);
    expect((await queue.getJob(first.jobId))?.data.retryCount).toBe(0);
  });

  it('takes over entries a relay read and never finished (it died), so none is lost', async () => {
    const key = intakeKey(producer, prefix);
    await producer.xgroup('CREATE', key, INTAKE_GROUP, '0', 'MKSTREAM');
    const lost = entry('1-orphan');
    await intake.push(lost.data);
    // A relay that read the entry and died before adding it: the entry is pending on it.
    const read = await producer.call('XREADGROUP', 'GROUP', INTAKE_GROUP, 'dead-relay', 'STREAMS', key, '>');
    expect(JSON.stringify(read)).toContain('1-orphan');
    expect(await queue.count()).toBe(0);

    startRelay({ claimIdleMs: 200 });
    const job = await waitFor(() => queue.getJob(lost.jobId), { what: 'orphaned entry relayed' });
    expect(job.data.matchId).toBe('1-orphan');
    await waitFor(async () => (await intake.backlog()) === 0, { what: 'stream emptied' });
    expect(logs.some((l) => l.msg === 'intake: took over entries a stopped relay left')).toBe(true);
  });

  it('drops an unreadable entry with an error log and still relays the others', async () => {
    const { counts } = startRelay();
    await producer.xadd(intakeKey(producer, prefix), '*', 'job', '{"name":"matchCreated","jobId":"x"}');
    const good = entry('1-good');
    await intake.push(good.data);
    await waitFor(() => queue.getJob(good.jobId), { what: 'good entry relayed' });
    await waitFor(async () => (await intake.backlog()) === 0, { what: 'stream emptied' });
    expect(await queue.count()).toBe(1);
    await waitFor(() => counts.relayed + counts.invalid >= 2, { what: 'batch reported' });
    expect(counts).toEqual({ relayed: 1, invalid: 1 });
    expect(logs.find((l) => l.msg === 'intake entry unreadable, dropped')).toMatchObject({ level: 50 });
  });

  it('shares the work between two relays without adding anything twice', async () => {
    const one = startRelay();
    const two = startRelay();
    const entries = Array.from({ length: 300 }, (_, i) => entry(`1-shared-${i}`));
    await Promise.all(entries.map((e) => intake.push(e.data)));
    await waitFor(async () => (await queue.count()) === 300, { what: '300 jobs' });
    await waitFor(async () => (await intake.backlog()) === 0, { what: 'stream emptied' });
    // Every entry was handed to exactly one relay: the reports add up to 300, not more.
    await waitFor(() => one.counts.relayed + two.counts.relayed >= 300, { what: 'batches reported' });
    expect(one.counts.relayed + two.counts.relayed).toBe(300);
  });

  it('closes promptly while blocked on an empty stream', async () => {
    const { relay } = startRelay();
    await waitFor(async () => (await producer.exists(intakeKey(producer, prefix))) === 1, {
      what: 'group made',
    });
    const started = performance.now();
    await relay.close();
    // Its blocking read lasts 5 s: a close that waited for it would take that long.
    expect(performance.now() - started).toBeLessThan(2500);
  });
});
