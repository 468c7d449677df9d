import { resolve } from 'node:path';
import { createProducerRedis, createQueue, oauthStateKey, QUEUES } from '@bridge/core';
import { type Stack, startStack, waitFor } from '@bridge/testbed';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consent, linkButtonUrl } from './link-helpers.ts';

// The checked-in docs/screenshots are refreshed only on request (UPDATE_SCREENSHOTS=1); a normal run
// writes to test-results/ so it never dirties the tree.
const SCREENSHOTS = resolve(
  import.meta.dirname,
  process.env.UPDATE_SCREENSHOTS === '1' ? '../../../docs/screenshots' : '../../../test-results/screenshots',
);

let stack: Stack;
let browser: Browser;
let redis: Redis;
let links: Queue;
let users: Record<string, string>;

beforeAll(async () => {
  stack = await startStack({
    workers: 2,
    // Long enough that a healthy job always answers on the page; the pending page has its own test.
    apiEnv: { LINK_RESULT_WAIT_MS: '20000' },
    guild: {
      members: [
        { username: 'owner' },
        { username: 'alice' },
        { username: 'bob' },
        { username: 'carol' },
        { username: 'dave' },
        { username: 'erin' },
      ],
    },
  });
  users = stack.guild.members as Record<string, string>;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  redis = createProducerRedis(stack.redisUrl);
  await waitFor(() => redis.status === 'ready', { what: 'redis ready' });
  links = createQueue(QUEUES.links, redis, stack.prefix);
});

afterAll(async () => {
  await browser?.close();
  await links?.close();
  redis?.disconnect();
  await stack?.stop();
});

async function linkRow(discordId: string) {
  const rows = await stack.supabase.query('select * from player_links where discord_id = $1', [discordId]);
  return rows[0];
}

async function ticketKeys() {
  return redis.keys(`${stack.prefix}:oauth:ticket:*`);
}

describe('FACEIT account linking through the browser', () => {
  it('links: /link button → FACEIT sign-in page → success page → row → DM', async () => {
    stack.faceit.seedPlayer({ nickname: 'AliceFaceit' });
    const alice = users.alice!;
    const { url, ephemeral } = await linkButtonUrl(stack, alice);
    expect(ephemeral).toBe(true);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: stack.workerEnv.FACEIT_CLIENT_ID,
      redirect_uri: `${stack.apiUrl}/faceit/callback`,
      code_challenge_method: 'S256',
      redirect_popup: 'true',
    });
    expect(url.searchParams.get('state')!.length).toBeGreaterThanOrEqual(22);
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const page = await browser.newPage({ viewport: { width: 390, height: 700 } });
    await page.goto(url.toString());
    await page.click('form#authorize button[data-player="AliceFaceit"]');
    await page.waitForURL(/\/faceit\/callback/);
    const main = page.locator('main');
    await main.waitFor();
    expect(await main.getAttribute('data-outcome')).toBe('ok');
    expect(await main.textContent()).toMatch(/AliceFaceit[\s\S]*linked to Discord user[\s\S]*alice/);
    await page.screenshot({ path: `${SCREENSHOTS}/link-success.png`, fullPage: true });
    await page.close();

    expect(await linkRow(alice)).toMatchObject({ faceit_nickname: 'AliceFaceit', verified_method: 'oauth' });
    const dm = await stack.discord.waitForDm(alice, (m) => m.content.includes('AliceFaceit'));
    expect(dm.content).toContain('now linked');
    expect(await ticketKeys()).toEqual([]);
    // No code, verifier or token reaches a log line.
    const procs = [...stack.apis.map((a) => a.proc), ...stack.workers];
    const logs = procs.map((p) => JSON.stringify(p.lines) + p.stderr.join('')).join('');
    expect(logs).toContain('oauth callback: link job enqueued');
    expect(logs).not.toMatch(/access_token|code_verifier|verifier|"code":/);
    expect(logs).not.toContain(url.searchParams.get('state')!);
  });

  it('shows a failure page (and a DM) when the verifier was tampered with; invalid_grant is not retried', async () => {
    stack.faceit.seedPlayer({ nickname: 'BobFaceit' });
    const bob = users.bob!;
    const { url } = await linkButtonUrl(stack, bob);
    const key = oauthStateKey(stack.prefix, url.searchParams.get('state')!);
    const stored = JSON.parse((await redis.get(key))!);
    await redis.set(key, JSON.stringify({ ...stored, verifier: 'x'.repeat(43) }), 'KEEPTTL');

    const page = await browser.newPage({ viewport: { width: 390, height: 700 } });
    await page.goto(url.toString());
    await page.click('form#authorize button[data-player="BobFaceit"]');
    await page.waitForURL(/\/faceit\/callback/);
    const main = page.locator('main');
    await main.waitFor();
    expect(await main.getAttribute('data-outcome')).toBe('fail');
    expect(await main.textContent()).toMatch(/did not accept[\s\S]*run \/link again/i);
    await page.screenshot({ path: `${SCREENSHOTS}/link-failure.png`, fullPage: true });
    await page.close();

    await stack.discord.waitForDm(bob, (m) => m.content.includes('failed'));
    expect(await linkRow(bob)).toBeUndefined();
    const failed = await links.getFailed();
    const job = failed.find((j) => j.data.discordUserId === bob);
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toMatch(/^invalid_grant/);
    expect(Object.keys(job?.data ?? {}).sort()).toEqual(['discordUserId', 'ticket']);
    expect(await ticketKeys()).toEqual([]);
  });

  it('says what happened when the player presses Deny', async () => {
    const { url } = await linkButtonUrl(stack, users.carol!);
    const page = await browser.newPage();
    await page.goto(url.toString());
    await page.click('form#authorize button[name=deny]');
    await page.waitForURL(/\/faceit\/callback/);
    expect(await page.locator('main').textContent()).toMatch(/cancelled[\s\S]*run \/link again/i);
    await page.close();
    // The denied state is burned too.
    expect(await redis.exists(oauthStateKey(stack.prefix, url.searchParams.get('state')!))).toBe(0);
  });
});

describe('GET /faceit/callback', () => {
  it('refuses a replayed state without enqueueing again', async () => {
    stack.faceit.seedPlayer({ nickname: 'DaveFaceit' });
    const dave = users.dave!;
    const { url } = await linkButtonUrl(stack, dave);
    const callback = consent(stack, url, { nickname: 'DaveFaceit' });
    const first = await fetch(callback);
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('DaveFaceit');
    const jobsBefore = await links.getJobCounts();

    const replay = await fetch(callback);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toMatch(/expired[\s\S]*already used/);
    expect(await links.getJobCounts()).toEqual(jobsBefore);
  });

  it('refuses an expired state (the 10-minute key expired in Redis)', async () => {
    const { url } = await linkButtonUrl(stack, users.erin!);
    const key = oauthStateKey(stack.prefix, url.searchParams.get('state')!);
    expect(await redis.ttl(key)).toBeGreaterThan(590);
    await redis.pexpire(key, 1);
    await waitFor(async () => (await redis.exists(key)) === 0, { what: 'state expired' });
    const res = await fetch(consent(stack, url, { nickname: 'ErinFaceit' }));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('This link has expired');
    expect(await linkRow(users.erin!)).toBeUndefined();
  });

  it('refuses an unknown state and a request without parameters, with security headers', async () => {
    const res = await fetch(`${stack.apiUrl}/faceit/callback?code=abc&state=not-a-state-we-issued`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('This link has expired');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/style-src 'sha256-/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toMatch(/text\/html/);

    const bare = await fetch(`${stack.apiUrl}/faceit/callback`);
    expect(bare.status).toBe(400);
    expect(await bare.text()).toContain('Something is missing');
  });

  it('says a DM will follow when the job outlasts the wait, and the DM does follow', async () => {
    const slowApi = await stack.startApi({ LINK_RESULT_WAIT_MS: '200' });
    const owner = users.owner!;
    // One 503 from FACEIT: the retry waits at least the 1 s backoff, well past the page's 200 ms.
    stack.faceit.setFault({ route: 'oauth.token', kind: 'status', status: 503, times: 1 });
    const { url } = await linkButtonUrl(stack, owner);
    const callback = consent(stack, url, { nickname: 'OwnerFaceit' });
    const res = await fetch(`${slowApi.url}${callback.pathname}${callback.search}`);
    expect(res.status).toBe(202);
    expect(await res.text()).toContain('send you a DM');
    await stack.discord.waitForDm(owner, (m) => m.content.includes('OwnerFaceit'));
    expect(await linkRow(owner)).toMatchObject({ faceit_nickname: 'OwnerFaceit', verified_method: 'oauth' });
  });
});
