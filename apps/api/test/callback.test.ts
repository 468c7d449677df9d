import { resolve } from 'node:path';
import { createProducerRedis, createQueue, oauthStateKey, QUEUES, type RedisClient } from '@bridge/core';
import {
  consent,
  linkButtonUrl,
  linkWithFetch,
  openStart,
  type Stack,
  startLink,
  startStack,
  waitFor,
} from '@bridge/testbed';
import type { Queue } from 'bullmq';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The checked-in docs/screenshots are refreshed only on request (UPDATE_SCREENSHOTS=1); a normal run
// writes to test-results/ so it never dirties the tree.
const SCREENSHOTS = resolve(
  import.meta.dirname,
  process.env.UPDATE_SCREENSHOTS === '1' ? '../../../docs/screenshots' : '../../../test-results/screenshots',
);

let stack: Stack;
let browser: Browser;
let redis: RedisClient;
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
        { username: 'mallory' },
        { username: 'frank' },
        { username: 'grace' },
        { username: 'heidi' },
        { username: 'ivan' },
        { username: 'judy' },
        { username: 'kim' },
        { username: 'leo' },
        { username: 'mia' },
        { username: 'nora' },
        { username: 'oscar' },
        { username: 'pia' },
        // One each for the wrong-client cases (/link is limited per user: 5 per 10 minutes).
        { username: 'quinn' },
        { username: 'rob' },
        { username: 'sam' },
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
  it('links: /link button → our start page naming the Discord account → FACEIT sign-in → success page → row → DM; a replay is refused', async () => {
    // The id_token FACEIT was reported to send: no `exp` (next-auth #3753).
    stack.faceit.setIdTokenMode('no-exp');
    stack.faceit.seedPlayer({ nickname: 'AliceFaceit' });
    const alice = users.alice!;
    const { url, ephemeral } = await linkButtonUrl(stack, alice);
    expect(ephemeral).toBe(true);
    expect(`${url.origin}${url.pathname}`).toBe(`${stack.apiUrl}/faceit/link/start`);

    const context = await browser.newContext({ viewport: { width: 390, height: 700 } });
    const page = await context.newPage();
    await page.goto(url.toString());
    const start = page.locator('main');
    expect(await start.textContent()).toContain('You are linking your FACEIT account to Discord user @alice');
    await page.screenshot({ path: `${SCREENSHOTS}/link-start.png`, fullPage: true });
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie?.name).toMatch(/^bridge_link_[0-9a-f]{16}$/);
    expect(cookie?.secure).toBe(false); // plain http here; Secure behind https (own test below)
    const authorize = new URL((await page.locator('a#continue').getAttribute('href')) ?? '');
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: stack.workerEnv.FACEIT_CLIENT_ID,
      redirect_uri: `${stack.apiUrl}/faceit/callback`,
      code_challenge_method: 'S256',
      redirect_popup: 'true',
      scope: 'openid profile',
    });
    expect(authorize.searchParams.get('state')!.length).toBeGreaterThanOrEqual(22);
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    await page.click('a#continue');
    await page.click('form#authorize button[data-player="AliceFaceit"]');
    await page.waitForURL(/\/faceit\/callback/);
    const main = page.locator('main');
    await main.waitFor();
    expect(await main.getAttribute('data-outcome')).toBe('ok');
    expect(await main.textContent()).toMatch(/AliceFaceit[\s\S]*linked to Discord user[\s\S]*alice/);
    await page.screenshot({ path: `${SCREENSHOTS}/link-success.png`, fullPage: true });

    expect(await linkRow(alice)).toMatchObject({ faceit_nickname: 'AliceFaceit', verified_method: 'oauth' });
    const dm = await stack.discord.waitForDm(alice, (m) => m.content.includes('AliceFaceit'));
    expect(dm.content).toContain('now linked');
    expect(await ticketKeys()).toEqual([]);
    // The pairing the page showed is gone from Redis, and the job kept in Redis (and the dashboard) for
    // an hour names nobody.
    expect(await redis.keys(`${stack.prefix}:oauth:result:*`)).toEqual([]);
    const done = (await links.getCompleted()).find((j) => j.data.discordUserId === alice);
    expect(done?.returnvalue).toEqual({ linked: true });
    expect(done?.opts.removeOnComplete).toEqual({ age: 3600 });

    // Replays in the same browser: the button and the callback URL both work once.
    const callbackUrl = page.url();
    const jobsBefore = await links.getJobCounts();
    await page.goto(url.toString());
    expect(await page.locator('main').textContent()).toMatch(/already used/);
    await page.goto(callbackUrl);
    expect(await page.locator('main').textContent()).toContain('This link has expired');
    expect(await links.getJobCounts()).toEqual(jobsBefore);
    await context.close();

    // No code, verifier, token, state or start token reaches a log line.
    const procs = [...stack.apis.map((a) => a.proc), ...stack.workers];
    const logs = procs.map((p) => JSON.stringify(p.lines) + p.stderr.join('')).join('');
    expect(logs).toContain('oauth callback: link job enqueued');
    expect(logs).not.toMatch(/access_token|code_verifier|verifier|"code":/);
    expect(logs).not.toContain(authorize.searchParams.get('state')!);
    expect(logs).not.toContain(url.searchParams.get('t')!);
    expect(logs).not.toContain(cookie!.value);
  });

  it('refuses the button opened in a second browser, and the FACEIT URL copied into another browser', async () => {
    stack.faceit.seedPlayer({ nickname: 'VictimFaceit' });
    const mallory = users.mallory!;
    const { url } = await linkButtonUrl(stack, mallory);
    const attacker = await browser.newContext();
    const victim = await browser.newContext();
    const a = await attacker.newPage();
    await a.goto(url.toString());
    const href = (await a.locator('a#continue').getAttribute('href')) ?? '';
    expect(href).toContain('code_challenge');

    // The same button URL in a second browser: already used, and no cookie for that browser.
    const v = await victim.newPage();
    await v.goto(url.toString());
    expect(await v.locator('main').getAttribute('data-outcome')).toBe('fail');
    expect(await v.locator('main').textContent()).toMatch(/already used[\s\S]*once, in one browser/);
    expect(await victim.cookies()).toEqual([]);

    // The victim is sent FACEIT's URL instead and signs in: the callback refuses that browser.
    const jobsBefore = await links.getJobCounts();
    await v.goto(href);
    await v.click('form#authorize button[data-player="VictimFaceit"]');
    await v.waitForURL(/\/faceit\/callback/);
    const main = v.locator('main');
    expect(await main.getAttribute('data-outcome')).toBe('fail');
    expect(await main.textContent()).toMatch(/not started in this browser[\s\S]*nothing was linked/);
    await v.screenshot({ path: `${SCREENSHOTS}/link-other-browser.png`, fullPage: true });
    expect(await links.getJobCounts()).toEqual(jobsBefore);
    expect(await linkRow(mallory)).toBeUndefined();
    expect(
      await stack.supabase.query('select * from player_links where faceit_nickname = $1', ['VictimFaceit']),
    ).toEqual([]);
    const api = stack.apis[0]!.proc;
    await api.waitForLine((l) => l.outcome === 'other_browser', 'other_browser log line');

    // The state was spent by the refusal: the attacker's own browser cannot finish the flow either.
    await a.goto(href);
    await a.click('form#authorize button[data-player="VictimFaceit"]');
    await a.waitForURL(/\/faceit\/callback/);
    expect(await a.locator('main').textContent()).toContain('This link has expired');
    expect(await linkRow(mallory)).toBeUndefined();
    await attacker.close();
    await victim.close();
  });

  it('shows a failure page (and a DM) when the verifier was tampered with; invalid_grant is not retried', async () => {
    stack.faceit.seedPlayer({ nickname: 'BobFaceit' });
    const bob = users.bob!;
    const { url } = await linkButtonUrl(stack, bob);
    const page = await browser.newPage({ viewport: { width: 390, height: 700 } });
    await page.goto(url.toString());
    const authorize = new URL((await page.locator('a#continue').getAttribute('href')) ?? '');
    const key = oauthStateKey(redis, stack.prefix, authorize.searchParams.get('state')!);
    const stored = JSON.parse((await redis.get(key))!);
    await redis.set(key, JSON.stringify({ ...stored, verifier: 'x'.repeat(43) }), 'KEEPTTL');

    await page.click('a#continue');
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
    const authorize = new URL((await page.locator('a#continue').getAttribute('href')) ?? '');
    await page.click('a#continue');
    await page.click('form#authorize button[name=deny]');
    await page.waitForURL(/\/faceit\/callback/);
    expect(await page.locator('main').textContent()).toMatch(/cancelled[\s\S]*run \/link again/i);
    await page.close();
    // The denied state is burned too.
    expect(await redis.exists(oauthStateKey(redis, stack.prefix, authorize.searchParams.get('state')!))).toBe(
      0,
    );
  });
});

describe('GET /faceit/callback', () => {
  it('refuses a replayed state without enqueueing again', async () => {
    stack.faceit.seedPlayer({ nickname: 'DaveFaceit' });
    const dave = users.dave!;
    const { authorizeUrl, cookie } = await startLink(stack, dave);
    const callback = consent(stack, authorizeUrl, { nickname: 'DaveFaceit' });
    const first = await fetch(callback, { headers: { cookie } });
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('DaveFaceit');
    const jobsBefore = await links.getJobCounts();

    const replay = await fetch(callback, { headers: { cookie } });
    expect(replay.status).toBe(400);
    expect(await replay.text()).toMatch(/expired[\s\S]*already used/);
    expect(await links.getJobCounts()).toEqual(jobsBefore);
  });

  it('refuses an expired state (the 10-minute key expired in Redis)', async () => {
    const { authorizeUrl, cookie } = await startLink(stack, users.erin!);
    const key = oauthStateKey(redis, stack.prefix, authorizeUrl.searchParams.get('state')!);
    expect(await redis.ttl(key)).toBeGreaterThan(590);
    await redis.pexpire(key, 1);
    await waitFor(async () => (await redis.exists(key)) === 0, { what: 'state expired' });
    const res = await fetch(consent(stack, authorizeUrl, { nickname: 'ErinFaceit' }), {
      headers: { cookie },
    });
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
    // One 503 from userinfo: its retry waits 500 ms, well past the page's 200 ms.
    stack.faceit.setFault({ route: 'oauth.userinfo', kind: 'status', status: 503, times: 1 });
    const res = await linkWithFetch(stack, owner, 'OwnerFaceit', slowApi.url);
    expect(res.status).toBe(202);
    expect(res.text).toContain('send you a DM');
    await stack.discord.waitForDm(owner, (m) => m.content.includes('OwnerFaceit'));
    expect(await linkRow(owner)).toMatchObject({ faceit_nickname: 'OwnerFaceit', verified_method: 'oauth' });
    // Nobody read the result: it leaves Redis on its own within two minutes.
    const [result] = await redis.keys(`${stack.prefix}:oauth:result:*`);
    expect(await redis.ttl(result!)).toBeLessThanOrEqual(120);
  });
});

describe('GET /faceit/link/start', () => {
  it('sets a __Host- prefixed, Secure, HttpOnly, SameSite=Lax cookie behind https, and refuses a bad or used token', async () => {
    const { url } = await linkButtonUrl(stack, users.frank!);
    const res = await fetch(url, { headers: { 'x-forwarded-proto': 'https' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^__Host-bridge_link_[0-9a-f]{16}=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/; Domain=/i);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(await res.text()).toContain('Discord user <strong id="discord-user">@frank</strong>');

    const again = await openStart(url);
    expect(again.status).toBe(400);
    expect(again.setCookie).toBe('');
    expect(again.html).toContain('already used');
    const bad = await openStart(new URL(`${stack.apiUrl}/faceit/link/start?t=short`));
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('Something is missing');
  });

  it('refuses a callback without the cookie, and spends its state', async () => {
    stack.faceit.seedPlayer({ nickname: 'GraceFaceit' });
    const { authorizeUrl } = await startLink(stack, users.grace!);
    const callback = consent(stack, authorizeUrl, { nickname: 'GraceFaceit' });
    const jobsBefore = await links.getJobCounts();
    const res = await fetch(callback);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('not started in this browser');
    const forged = await fetch(callback, { headers: { cookie: `bridge_link_x=${'A'.repeat(43)}` } });
    expect(forged.status).toBe(400); // the state is gone
    expect(await links.getJobCounts()).toEqual(jobsBefore);
    expect(await linkRow(users.grace!)).toBeUndefined();
  });
});

describe('cookie tossing: a cookie someone else planted is never the binding', () => {
  /** The start page as a client with `cookie`: the FACEIT URL, and the cookie the page set. */
  async function startAs(userId: string, headers: Record<string, string>) {
    const { url } = await linkButtonUrl(stack, userId);
    const res = await fetch(url, { headers });
    expect(res.status).toBe(200);
    const html = await res.text();
    const href = /<a class="go" id="continue" href="([^"]+)"/.exec(html)?.[1] ?? '';
    const set = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const [name = '', value = ''] = set.split('=');
    return { authorizeUrl: new URL(href.replaceAll('&amp;', '&')), name, value };
  }

  it("refuses the callback in the victim's browser carrying a value the attacker planted before the start page", async () => {
    // Mallory planted K in the victim's browser (from a sibling subdomain) and starts her own flow with K.
    stack.faceit.seedPlayer({ nickname: 'TossedFaceit' });
    const mallory = users.mallory!;
    const planted = 'K'.repeat(43);
    const flow = await startAs(mallory, { cookie: `bridge_link_browser=${planted}` });
    expect(flow.value).not.toBe(planted);
    // The victim signs in at FACEIT from Mallory's URL; their browser carries K under every name.
    const callback = consent(stack, flow.authorizeUrl, { nickname: 'TossedFaceit' });
    const jobsBefore = await links.getJobCounts();
    const res = await fetch(callback, {
      headers: { cookie: `bridge_link_browser=${planted}; ${flow.name}=${planted}` },
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('not started in this browser');
    expect(await links.getJobCounts()).toEqual(jobsBefore);
    expect(
      await stack.supabase.query('select * from player_links where faceit_nickname = $1', ['TossedFaceit']),
    ).toEqual([]);
  });

  it('over https reads only the __Host- cookie, which a sibling subdomain cannot set', async () => {
    stack.faceit.seedPlayer({ nickname: 'HostOnlyFaceit' });
    const https = { 'x-forwarded-proto': 'https' };
    // Mallory learns her flow's value from her own start page and tosses it, unprefixed, to the victim.
    const flow = await startAs(users.mallory!, https);
    expect(flow.name).toMatch(/^__Host-bridge_link_[0-9a-f]{16}$/);
    const unprefixed = flow.name.replace(/^__Host-/, '');
    const callback = consent(stack, flow.authorizeUrl, { nickname: 'HostOnlyFaceit' });
    const tossed = await fetch(callback, { headers: { ...https, cookie: `${unprefixed}=${flow.value}` } });
    expect(tossed.status).toBe(403);
    expect(
      await stack.supabase.query('select * from player_links where faceit_nickname = $1', ['HostOnlyFaceit']),
    ).toEqual([]);

    // The browser that opened the start page (it holds the __Host- cookie) links, and the cookie is cleared.
    const own = await startAs(users.carol!, https);
    const ok = await fetch(consent(stack, own.authorizeUrl, { nickname: 'HostOnlyFaceit' }), {
      headers: { ...https, cookie: `${own.name}=${own.value}` },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('set-cookie')).toMatch(new RegExp(`^${own.name}=; Max-Age=0; Path=/; Secure`));
    expect(await linkRow(users.carol!)).toMatchObject({ faceit_nickname: 'HostOnlyFaceit' });
  });
});

describe('linking whatever id_token FACEIT sends', () => {
  const cases = [
    ['complete', 'heidi'],
    ['no-exp', 'ivan'],
    ['broken', 'judy'],
    ['none', 'kim'],
  ] as const;
  for (const [mode, user] of cases) {
    it(`links with id_token mode ${mode}`, async () => {
      stack.faceit.setIdTokenMode(mode);
      const nickname = `Mode_${mode}`;
      stack.faceit.seedPlayer({ nickname });
      const tokensBefore = stack.faceit.stats().tokenRequests;
      const res = await linkWithFetch(stack, users[user]!, nickname);
      expect(res.status).toBe(200);
      expect(res.text).toContain(nickname);
      expect(await linkRow(users[user]!)).toMatchObject({
        faceit_nickname: nickname,
        verified_method: 'oauth',
      });
      expect(stack.faceit.stats().tokenRequests - tokensBefore).toBe(1);
    });
  }
});

describe('FACEIT failures after the code exchange', () => {
  async function failedJob(discordUserId: string) {
    const failed = await links.getFailed();
    return failed.find((j) => j.data.discordUserId === discordUserId);
  }

  it('retries userinfo (5xx twice) with the access token, never the code exchange', async () => {
    const user = users.leo!;
    stack.faceit.seedPlayer({ nickname: 'LeoFaceit' });
    stack.faceit.setFault({ route: 'oauth.userinfo', kind: 'status', status: 502, times: 2 });
    const before = stack.faceit.stats();
    const res = await linkWithFetch(stack, user, 'LeoFaceit');
    expect(res.status).toBe(200);
    expect(res.text).toContain('LeoFaceit');
    const after = stack.faceit.stats();
    expect(after.tokenRequests - before.tokenRequests).toBe(1);
    expect(after.userinfoRequests - before.userinfoRequests).toBe(3);
    expect(await linkRow(user)).toMatchObject({ faceit_nickname: 'LeoFaceit', verified_method: 'oauth' });
  });

  it('retries a userinfo that times out', async () => {
    const user = users.mia!;
    stack.faceit.seedPlayer({ nickname: 'MiaFaceit' });
    stack.faceit.setFault({ route: 'oauth.userinfo', kind: 'hang', times: 1 });
    const before = stack.faceit.stats();
    const res = await linkWithFetch(stack, user, 'MiaFaceit');
    expect(res.text).toContain('MiaFaceit');
    const after = stack.faceit.stats();
    expect(after.tokenRequests - before.tokenRequests).toBe(1);
    expect(after.userinfoRequests - before.userinfoRequests).toBe(2);
  });

  it('gives up on a userinfo that keeps failing, without presenting the code again', async () => {
    const user = users.nora!;
    stack.faceit.seedPlayer({ nickname: 'NoraFaceit' });
    stack.faceit.setFault({ route: 'oauth.userinfo', kind: 'status', status: 500, times: 3 });
    const before = stack.faceit.stats();
    const res = await linkWithFetch(stack, user, 'NoraFaceit');
    expect(res.status).toBe(400);
    expect(res.text).toMatch(
      /FACEIT had a problem finishing the sign-in[\s\S]*run <strong>\/link<\/strong> again/i,
    );
    const dm = await stack.discord.waitForDm(user, (m) => m.content.includes('failed'));
    expect(dm.content).toContain('FACEIT had a problem');
    const job = await failedJob(user);
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toMatch(/^faceit_unavailable: userinfo answered 500 \(3 attempts\)/);
    expect(stack.faceit.stats().tokenRequests - before.tokenRequests).toBe(1);
    expect(await linkRow(user)).toBeUndefined();
  });

  it('does not present a code again after a 5xx from the token endpoint', async () => {
    const user = users.oscar!;
    stack.faceit.setFault({ route: 'oauth.token', kind: 'status', status: 503, times: 1 });
    const before = stack.faceit.stats();
    const res = await linkWithFetch(stack, user, 'OscarFaceit');
    expect(res.status).toBe(400);
    expect(res.text).toContain('FACEIT had a problem finishing the sign-in');
    const job = await failedJob(user);
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toMatch(/^faceit_unavailable: token endpoint answered 503/);
    expect(stack.faceit.stats().tokenRequests - before.tokenRequests).toBe(1);
  });

  it('presents the code again only after a 429, which FACEIT answers before looking at it', async () => {
    const user = users.pia!;
    stack.faceit.setFault({ route: 'oauth.token', kind: 'ratelimit', retryAfter: 1, times: 1 });
    const res = await linkWithFetch(stack, user, 'PiaFaceit');
    expect(res.text).toContain('PiaFaceit');
    expect(await linkRow(user)).toMatchObject({ faceit_nickname: 'PiaFaceit' });
  });

  it('fails at once when userinfo answers insufficient_scope, naming FACEIT_SCOPE', async () => {
    const user = users.owner!;
    stack.faceit.setFault({
      route: 'oauth.userinfo',
      kind: 'status',
      status: 403,
      error: 'insufficient_scope',
      wwwAuthenticate: 'Bearer error="insufficient_scope", scope="openid"',
      times: 1,
    });
    const before = stack.faceit.stats();
    const res = await linkWithFetch(stack, user, 'OwnerFaceit');
    expect(res.status).toBe(400);
    expect(res.text).toContain('misconfigured on this server’s side');
    const jobs = (await links.getFailed()).filter((j) => j.data.discordUserId === user);
    const job = jobs.sort((x, y) => (y.finishedOn ?? 0) - (x.finishedOn ?? 0))[0];
    expect(job?.failedReason).toMatch(/^misconfigured: .*FACEIT_SCOPE must include openid/);
    expect(stack.faceit.stats().userinfoRequests - before.userinfoRequests).toBe(1);
  });

  const clientFaults = [
    ['401 invalid_client', 'owner', { status: 401, error: 'invalid_client' }],
    [
      '401 with WWW-Authenticate',
      'quinn',
      { status: 401, error: 'invalid_client', wwwAuthenticate: 'Basic realm="faceit"' },
    ],
    ['401 with an HTML body', 'rob', { status: 401, html: '<html><body>Unauthorized</body></html>' }],
    ['400 invalid_client', 'sam', { status: 400, error: 'invalid_client' }],
  ] as const;
  for (const [what, who, fault] of clientFaults) {
    it(`fails at once on a wrong client id/secret (${what}), naming the settings to the operator`, async () => {
      const user = users[who]!;
      stack.faceit.setFault({ route: 'oauth.token', kind: 'status', times: 1, ...fault });
      const before = stack.faceit.stats();
      const t0 = Date.now();
      const res = await linkWithFetch(stack, user, 'OwnerFaceit');
      expect(res.status).toBe(400);
      expect(res.text).toContain(
        'misconfigured on this server’s side, and the bridge’s operators are alerted',
      );
      // Not the person's fault, and retrying would not help: no "try again" on the page or in the DM.
      expect(/<main[\s\S]*<\/main>/.exec(res.text)?.[0]).not.toMatch(/again/i);
      const dm = await stack.discord.waitForDm(
        user,
        (m) => m.content.includes('misconfigured') && m.at >= t0,
      );
      expect(dm.content).toContain("the bridge's operators are alerted");
      expect(dm.content).not.toMatch(/again/i);
      const jobs = (await links.getFailed()).filter((j) => j.data.discordUserId === user);
      const job = jobs.sort((x, y) => (y.finishedOn ?? 0) - (x.finishedOn ?? 0))[0];
      expect(job?.attemptsMade).toBe(1);
      expect(job?.failedReason).toMatch(/^misconfigured: .*check FACEIT_CLIENT_ID and FACEIT_CLIENT_SECRET/);
      expect(stack.faceit.stats().tokenRequests - before.tokenRequests).toBe(1);
      // The line can still be in the pipe from the worker's stdout when the job reads as failed.
      await waitFor(
        () =>
          stack.workers.some((w) =>
            w.lines.some((l) => Number(l.level) >= 50 && String(l.msg).includes('FACEIT_CLIENT_SECRET')),
          ),
        { what: 'an error line naming FACEIT_CLIENT_SECRET' },
      );
    });
  }
});
