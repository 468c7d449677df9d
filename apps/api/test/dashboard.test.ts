import { join } from 'node:path';
import { REDIS_URL } from '@bridge/testbed';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './harness.ts';

const admin = { user: 'ops', password: 'correct-horse-battery' };
let api: TestApi;
let browser: Browser;

beforeAll(async () => {
  api = await startTestApi({ admin });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});
afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

describe('queue dashboard (/admin/queues)', () => {
  it('refuses a browser without credentials, and wrong ones', async () => {
    // Headless Chromium cannot show the login prompt: the navigation ends in an auth error, no board.
    const page = await browser.newPage();
    const outcome = await page.goto(`${api.url}/admin/queues`).then(
      (res) => `status ${res?.status()}`,
      (err: Error) => err.message,
    );
    expect(outcome).toMatch(/status 401|ERR_INVALID_AUTH_CREDENTIALS/);
    await page.close();
    expect((await fetch(`${api.url}/admin/queues`)).status).toBe(401);
    // Chromium gives up on credentials the server keeps refusing.
    const wrong = await browser.newContext({ httpCredentials: { username: 'ops', password: 'nope' } });
    const wrongOutcome = await (await wrong.newPage()).goto(`${api.url}/admin/queues`).then(
      (res) => `status ${res?.status()}`,
      (err: Error) => err.message,
    );
    expect(wrongOutcome).toMatch(/status 401|ERR_INVALID_AUTH_CREDENTIALS/);
    await wrong.close();
    const basic = `Basic ${Buffer.from('ops:nope').toString('base64')}`;
    expect((await fetch(`${api.url}/admin/queues`, { headers: { authorization: basic } })).status).toBe(401);
    const api2 = await fetch(`${api.url}/admin/queues/api/queues`);
    expect(api2.status).toBe(401);
  });

  it('shows every queue and a failed job to an operator with credentials', async () => {
    // A job that fails for real, through a real worker on the same prefix.
    await api.queues.matches.add(
      'matchCreated',
      { matchId: 'x' },
      { jobId: 'dashboard-failing-job', attempts: 1 },
    );
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const worker = new Worker(
      'matches',
      async () => {
        throw new Error('boom for the dashboard');
      },
      { connection, prefix: api.prefix },
    );
    await new Promise<void>((resolve) => worker.once('failed', () => resolve()));
    await worker.close();
    connection.disconnect();

    const context = await browser.newContext({
      httpCredentials: { username: admin.user, password: admin.password },
    });
    const page = await context.newPage();
    const res = await page.goto(`${api.url}/admin/queues`);
    expect(res?.status()).toBe(200);
    for (const name of ['matches', 'cleanup', 'links', 'maintenance']) {
      await page.getByText(name, { exact: true }).first().waitFor();
    }
    await page.goto(`${api.url}/admin/queues/queue/matches?status=failed`);
    await page.getByText('boom for the dashboard').first().waitFor();
    const dir = process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-results/screenshots';
    await page.screenshot({ path: join(import.meta.dirname, '../../..', dir, 'dashboard-failed-job.png') });
    await context.close();
  });

  it('is not mounted at all without ADMIN_USER/ADMIN_PASSWORD, and says so in the log', async () => {
    const plain = await startTestApi();
    try {
      expect((await fetch(`${plain.url}/admin/queues`)).status).toBe(404);
      expect(plain.logs.some((l) => String(l.msg).includes('dashboard is off'))).toBe(true);
    } finally {
      await plain.stop();
    }
  });
});

describe('GET /metrics', () => {
  it('exposes webhook outcomes and queue depths in Prometheus format', async () => {
    await api.post({ nope: true });
    await api.post('{', {});
    const res = await fetch(`${api.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/bridge_webhooks_total\{event="unknown",outcome="invalid",app="api"\} 2/);
    expect(text).toMatch(/bridge_queue_jobs\{queue="matches",state="failed",app="api"\} \d+/);
    expect(text).toContain('process_resident_memory_bytes');
  });
});
