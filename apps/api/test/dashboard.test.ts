import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { REDIS_URL, waitFor } from '@bridge/testbed';
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

  it('adds no job when a page on another origin auto-submits a text/plain form to the add route', async () => {
    // The operator is logged in (the browser holds the basic credentials) and then visits a hostile page
    // on another origin, which posts a forged clean-up job the way a CSRF form does: enctype=text/plain
    // turns `name + "=" + value` into a valid JSON body, and such a POST needs no CORS preflight.
    const forged = JSON.stringify({
      name: 'matchFinished',
      data: { matchId: '1-forged-by-a-hostile-page', event: 'match_status_finished' },
      x: '',
    }).slice(0, -2); // the form adds `=` + value: the value closes the JSON string and object
    const action = `${api.url}/admin/queues/api/queues/cleanup/add`;
    const hostile =
      await serveHtml(`<!doctype html><form method="POST" enctype="text/plain" action="${action}">
<input type="hidden" name='${forged}' value='"}'></form><script>document.forms[0].submit()</script>`);
    const context = await browser.newContext({
      httpCredentials: { username: admin.user, password: admin.password },
    });
    try {
      const page = await context.newPage();
      expect((await page.goto(`${api.url}/admin/queues`))?.status()).toBe(200);
      const answered = page.waitForResponse((r) => r.url() === action);
      await page.goto(hostile.url);
      const res = await answered;
      expect(res.request().headers()['content-type']).toMatch(/^text\/plain/);
      const jobs = await api.queues.cleanup.getJobs();
      expect(jobs.map((j) => j.data)).toEqual([]);
      expect(res.status()).toBe(403);
    } finally {
      await context.close();
      await hostile.close();
    }
  });

  it("lets the operator's own board change things: the retry button (a body-less PUT) and adding a job", async () => {
    await api.queues.matches.add(
      'matchCreated',
      { matchId: 'y' },
      { jobId: 'dashboard-retry-me', attempts: 1 },
    );
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const worker = new Worker(
      'matches',
      async () => {
        throw new Error('fails once for the retry button');
      },
      { connection, prefix: api.prefix },
    );
    await waitFor(async () => (await api.queues.matches.getJobState('dashboard-retry-me')) === 'failed', {
      what: 'job failed',
    });
    await worker.close();
    connection.disconnect();

    const context = await browser.newContext({
      httpCredentials: { username: admin.user, password: admin.password },
    });
    try {
      const page = await context.newPage();
      await page.goto(`${api.url}/admin/queues/queue/matches?status=failed`);
      await page.getByText('fails once for the retry button').first().waitFor();
      const retried = page.waitForResponse((r) => r.url().endsWith('/api/queues/matches/retry/failed'));
      await page.getByRole('button', { name: 'Retry all' }).click();
      await page.getByRole('button', { name: 'Confirm' }).click();
      const res = await retried;
      expect(res.request().method()).toBe('PUT');
      expect(res.request().headers()['content-type']).toBeUndefined();
      expect(res.status()).toBe(200);
      expect(await api.queues.matches.getJobState('dashboard-retry-me')).toBe('waiting');

      // The board's own JSON request (what its "Add job" dialog sends) is same-origin and goes through.
      const added = await page.evaluate(async () => {
        const res = await fetch('api/queues/maintenance/add', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'sweep', data: { reason: 'operator' } }),
        });
        return res.status;
      });
      expect(added).toBe(200);
      expect((await api.queues.maintenance.getJobs()).map((j) => j.data)).toEqual([{ reason: 'operator' }]);
    } finally {
      await context.close();
    }
  });

  it('refuses writes without proof of origin or with a non-JSON body, whatever the credentials', async () => {
    const basic = `Basic ${Buffer.from(`${admin.user}:${admin.password}`).toString('base64')}`;
    // Bytes rather than a string: fetch then adds no Content-Type of its own.
    const add = (headers: Record<string, string>) =>
      fetch(`${api.url}/admin/queues/api/queues/maintenance/add`, {
        method: 'POST',
        headers: { authorization: basic, ...headers },
        body: new TextEncoder().encode('{"name":"sweep","data":{"reason":"x"}}'),
      });
    const own = new URL(api.url).origin;
    const json = { 'content-type': 'application/json' };
    const before = await api.queues.maintenance.count();
    for (const [what, headers] of [
      ['no Origin, no Sec-Fetch-Site', json],
      ['another Origin', { ...json, origin: 'http://localhost:1' }],
      ['Sec-Fetch-Site cross-site', { ...json, 'sec-fetch-site': 'cross-site' }],
      ['Sec-Fetch-Site same-site', { ...json, 'sec-fetch-site': 'same-site' }],
      ['same origin but text/plain', { 'content-type': 'text/plain', origin: own }],
      ['same origin but a form', { 'content-type': 'application/x-www-form-urlencoded', origin: own }],
      ['same origin, a body without a type', { origin: own }],
    ] as const) {
      const res = await add(headers as Record<string, string>);
      expect(res.status, what).toBe(403);
      const sameOrigin = (headers as Record<string, string>).origin === own;
      expect((await res.json()).message, what).toBe(
        sameOrigin
          ? 'a request body must be application/json'
          : 'state-changing requests must come from this origin',
      );
    }
    expect(await api.queues.maintenance.count()).toBe(before);
    expect((await add({ ...json, origin: own })).status).toBe(200);
    expect((await add({ ...json, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    // Behind a TLS proxy the browser's Origin is https while Node saw http.
    const proxied = await add({
      ...json,
      origin: own.replace('http:', 'https:'),
      'x-forwarded-proto': 'https',
    });
    expect(proxied.status).toBe(200);
    expect(await api.queues.maintenance.count()).toBe(before + 3);
  });

  it('is never framed and sends the usual security headers on every answer', async () => {
    const basic = `Basic ${Buffer.from(`${admin.user}:${admin.password}`).toString('base64')}`;
    const page = await fetch(`${api.url}/admin/queues`, { headers: { authorization: basic } });
    const html = await page.text();
    const asset = /src="(static\/js\/[^"]+)"/.exec(html)?.[1];
    const answers = {
      board: page,
      asset: await fetch(`${api.url}/admin/queues/${asset}`, { headers: { authorization: basic } }),
      boardApi: await fetch(`${api.url}/admin/queues/api/queues`, { headers: { authorization: basic } }),
      refused: await fetch(`${api.url}/admin/queues`),
      webhook: await api.post({ nope: true }),
      notFound: await fetch(`${api.url}/nothing-here`),
      health: await fetch(`${api.url}/healthz`),
    };
    expect(answers.asset.status).toBe(200);
    for (const [what, res] of Object.entries(answers)) {
      expect(res.headers.get('x-frame-options'), what).toBe('DENY');
      expect(res.headers.get('content-security-policy'), what).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), what).toMatch(/^(no-referrer|same-origin)$/);
    }
    // The board loads its own scripts only: no inline script, nothing from another host.
    const csp = answers.board.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/https?:/);

    // In a browser: a page on another origin that frames the board gets an empty frame.
    const hostile = await serveHtml(`<!doctype html><iframe id="f" src="${api.url}/admin/queues"></iframe>`);
    const context = await browser.newContext({
      httpCredentials: { username: admin.user, password: admin.password },
    });
    try {
      const tab = await context.newPage();
      await tab.goto(`${api.url}/admin/queues`);
      const framed = tab.waitForResponse((r) => r.url() === `${api.url}/admin/queues`);
      await tab.goto(hostile.url);
      expect((await framed).headers()['x-frame-options']).toBe('DENY');
      const frame = tab.frames().find((f) => f !== tab.mainFrame());
      const board = await frame?.evaluate(() => document.querySelector('#root') !== null).catch(() => false);
      expect(board ?? false).toBe(false);
    } finally {
      await context.close();
      await hostile.close();
    }
  });

  it('refuses a client after 10 wrong passwords in 15 minutes, the right one too; other clients are not affected', async () => {
    const proxied = await startTestApi({ admin, config: { TRUSTED_PROXY_HOPS: 1 } });
    try {
      const as = (client: string, password: string) =>
        fetch(`${proxied.url}/admin/queues/api/queues`, {
          headers: {
            authorization: `Basic ${Buffer.from(`${admin.user}:${password}`).toString('base64')}`,
            // What the one proxy in front appends; what the client wrote before it is not trusted.
            'x-forwarded-for': `10.9.9.9, ${client}`,
          },
        });
      for (let i = 0; i < 10; i++) expect((await as('203.0.113.7', `guess-${i}`)).status).toBe(401);
      const blocked = await as('203.0.113.7', admin.password);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(800);
      expect((await as('203.0.113.7', 'guess-11')).status).toBe(429);
      // Another client (per the proxy) still gets in; so would this one once the window is over.
      expect((await as('198.51.100.20', admin.password)).status).toBe(200);
      const lines = proxied.logs.filter((l) => String(l.msg).startsWith('dashboard login'));
      expect(lines.map((l) => l.outcome)).toEqual(['unauthorized', 'throttled']);
      // A browser's first request without credentials (to get the prompt) is not a guess.
      for (let i = 0; i < 12; i++) {
        const res = await fetch(`${proxied.url}/admin/queues`, {
          headers: { 'x-forwarded-for': '192.0.2.1' },
        });
        expect(res.status).toBe(401);
      }
      expect((await as('192.0.2.1', admin.password)).status).toBe(200);
    } finally {
      await proxied.stop();
    }
  });

  it('shows link jobs without the ticket or the Discord ↔ FACEIT pairing, and no secret in any job', async () => {
    const basic = `Basic ${Buffer.from(`${admin.user}:${admin.password}`).toString('base64')}`;
    await api.queues.links.add(
      'linkAccount',
      { ticket: 'T1CKET-0123456789abcdef', discordUserId: '111111111111111111' },
      { jobId: 'dashboard-link-job' },
    );
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const worker = new Worker(
      'links',
      async () => ({
        discordUserId: '111111111111111111',
        discordUsername: 'alice',
        faceitNickname: 'AliceFaceit',
        previousDiscordUserId: '222222222222222222',
      }),
      { connection, prefix: api.prefix },
    );
    await waitFor(async () => (await api.queues.links.getJobState('dashboard-link-job')) === 'completed', {
      what: 'link job completed',
    });
    await worker.close();
    connection.disconnect();
    await api.queues.matches.add('matchCreated', {
      matchId: 'z',
      oauth: { code: 'C0DE-in-data', verifier: 'VER1F1ER-in-data' },
      token: 'T0KEN-in-data',
    });
    const res = await fetch(`${api.url}/admin/queues/api/queues/links/dashboard-link-job`, {
      headers: { authorization: basic },
    });
    const shown = JSON.stringify(await res.json());
    expect(shown).toContain('dashboard-link-job');
    for (const secret of ['T1CKET', 'alice', 'AliceFaceit', '222222222222222222']) {
      expect(shown).not.toContain(secret);
    }
    const list = await fetch(
      `${api.url}/admin/queues/api/queues?activeQueue=matches&status=waiting&page=1&jobsPerPage=50`,
      {
        headers: { authorization: basic },
      },
    );
    const listed = JSON.stringify(await list.json());
    expect(listed).toContain('"matchId":"z"');
    for (const secret of ['C0DE-in-data', 'VER1F1ER-in-data', 'T0KEN-in-data'])
      expect(listed).not.toContain(secret);
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

/** A page on another origin (localhost rather than 127.0.0.1, its own port): the hostile site. */
async function serveHtml(html: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
