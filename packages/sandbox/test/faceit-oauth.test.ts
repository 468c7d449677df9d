import { createPublicKey, verify } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaceitEmulator, type FaceitEmulatorOptions, startFaceitEmulator } from '../src/faceit/index.ts';

const REDIRECT = 'http://127.0.0.1:3000/auth/faceit/callback';
const OTHER_REDIRECT = 'http://127.0.0.1:3000/other/callback';
const insecure = { [oauth.allowInsecureRequests]: true };

let emu: FaceitEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

/** Most tests here drive oauth4webapi's full id_token validation, so they ask for the lenient world. */
async function start(o: FaceitEmulatorOptions = {}) {
  emu = await startFaceitEmulator({ redirectUris: [REDIRECT], idToken: 'complete', ...o });
  return emu;
}

/** The bridge side: oauth4webapi with a literal AuthorizationServer, PKCE S256 and client_secret_basic. */
async function client(e: FaceitEmulator, secret = e.clientSecret) {
  const as: oauth.AuthorizationServer = {
    issuer: e.issuer,
    authorization_endpoint: e.authUrl,
    token_endpoint: e.tokenUrl,
    userinfo_endpoint: e.userinfoUrl,
  };
  const c: oauth.Client = { client_id: e.clientId };
  const verifier = oauth.generateRandomCodeVerifier();
  const challenge = await oauth.calculatePKCECodeChallenge(verifier);
  const state = oauth.generateRandomState();
  const authorizeUrl = new URL(as.authorization_endpoint as string);
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: e.clientId,
    redirect_uri: REDIRECT,
    scope: 'openid profile email membership',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    redirect_popup: 'true',
  })) {
    authorizeUrl.searchParams.set(k, v);
  }
  const exchange = async (location: string, o: { verifier?: string; redirectUri?: string } = {}) => {
    const params = oauth.validateAuthResponse(as, c, new URL(location), state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      c,
      oauth.ClientSecretBasic(secret),
      params,
      o.redirectUri ?? REDIRECT,
      o.verifier ?? verifier,
      insecure,
    );
    return oauth.processAuthorizationCodeResponse(as, c, response);
  };
  return { as, c, verifier, challenge, state, authorizeUrl, exchange };
}

async function expectOAuthError(promise: Promise<unknown>, error: string, status: number) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(oauth.ResponseBodyError);
  expect((err as oauth.ResponseBodyError).error).toBe(error);
  expect((err as oauth.ResponseBodyError).status).toBe(status);
}

/** The `<form>` of the authorize page: action, hidden fields, and the value of each player button. */
function parseForm(html: string) {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1] ?? '';
  const hidden = [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(
    (m) => [m[1] ?? '', (m[2] ?? '').replace(/&#38;/g, '&')] as [string, string],
  );
  const players = new Map(
    [...html.matchAll(/<button[^>]*name="player_id" value="([^"]+)" data-player="([^"]+)"/g)].map((m) => [
      m[2] ?? '',
      m[1] ?? '',
    ]),
  );
  return { action, hidden, players };
}

describe('FACEIT Connect OAuth2', () => {
  it('lets an oauth4webapi PKCE client get tokens and userinfo', async () => {
    const e = await start();
    const me = e.seedPlayer({ nickname: 'Darwin' });
    const k = await client(e);
    const location = e.authorize({
      clientId: e.clientId,
      redirectUri: REDIRECT,
      state: k.state,
      codeChallenge: k.challenge,
      codeChallengeMethod: 'S256',
      playerId: me.id,
    });
    expect(location.startsWith(`${REDIRECT}?`)).toBe(true);
    const tokens = await k.exchange(location);
    expect(tokens.token_type).toBe('bearer');
    expect(typeof tokens.refresh_token).toBe('string');
    expect(typeof tokens.expires_in).toBe('number');
    expect(tokens.scope).toBe('openid profile email membership');
    const claims = oauth.getValidatedIdTokenClaims(tokens);
    expect(claims?.sub).toBe(me.id);
    expect(claims?.aud).toBe(e.clientId);

    const res = await fetch(e.userinfoUrl, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(res.status).toBe(200);
    const info = await res.json();
    expect(info).toMatchObject({ guid: me.id, nickname: 'Darwin', email: me.email, picture: me.avatar });
    expect(info).not.toHaveProperty('sub');
    expect(e.stats()).toMatchObject({
      tokenRequests: 1,
      tokensIssued: 1,
      userinfoRequests: 1,
      codesIssued: 1,
    });
  });

  it('signs the id_token with the key published in the JWKS of the discovery document', async () => {
    const e = await start();
    const me = e.seedPlayer({ nickname: 'signer' });
    const k = await client(e);
    const tokens = await k.exchange(e.authorize({ ...authInput(e, k), playerId: me.id }));
    const discovery = await (await fetch(e.discoveryUrl)).json();
    expect(discovery).toMatchObject({ issuer: e.issuer, token_endpoint: e.tokenUrl, jwks_uri: e.jwksUrl });
    const { keys } = await (await fetch(discovery.jwks_uri)).json();
    const [header, payload, signature] = (tokens.id_token as string).split('.') as [string, string, string];
    const key = createPublicKey({ key: keys[0], format: 'jwk' });
    expect(
      verify('sha256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url')),
    ).toBe(true);
  });

  it('refuses a wrong verifier, a reused code, a wrong redirect_uri and an expired code with invalid_grant', async () => {
    const e = await start({ redirectUris: [REDIRECT, OTHER_REDIRECT], codeTtlMs: 60_000 });
    const me = e.seedPlayer({ nickname: 'me' });
    const k = await client(e);
    const code = () => e.authorize({ ...authInput(e, k), playerId: me.id });

    await expectOAuthError(
      k.exchange(code(), { verifier: oauth.generateRandomCodeVerifier() }),
      'invalid_grant',
      400,
    );

    const reused = code();
    await k.exchange(reused);
    await expectOAuthError(k.exchange(reused), 'invalid_grant', 400);

    await expectOAuthError(k.exchange(code(), { redirectUri: OTHER_REDIRECT }), 'invalid_grant', 400);

    const expiring = code();
    e.advanceTime(60_001);
    await expectOAuthError(k.exchange(expiring), 'invalid_grant', 400);
  });

  it('refuses a missing verifier with invalid_grant', async () => {
    const e = await start();
    const me = e.seedPlayer({ nickname: 'me' });
    const k = await client(e);
    const code = new URL(e.authorize({ ...authInput(e, k), playerId: me.id })).searchParams.get('code') ?? '';
    const res = await fetch(e.tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${e.clientId}:${e.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe('invalid_grant');
  });

  it('demands HTTP Basic client credentials at the token endpoint', async () => {
    const e = await start();
    const me = e.seedPlayer({ nickname: 'me' });
    const k = await client(e);
    const location = e.authorize({ ...authInput(e, k), playerId: me.id });
    const code = new URL(location).searchParams.get('code') ?? '';
    const res = await fetch(e.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        code_verifier: k.verifier,
        client_id: e.clientId,
        client_secret: e.clientSecret,
      }),
    });
    expect(res.status).toBe(401);
    expect((await res.json()).error).toBe('invalid_client');

    const wrongSecret = await client(e, 'not-the-secret');
    const fresh = e.authorize({ ...authInput(e, wrongSecret), playerId: me.id });
    await expectOAuthError(wrongSecret.exchange(fresh), 'invalid_client', 401);
  });

  it('rejects a bad userinfo token and refreshes tokens', async () => {
    const e = await start();
    const me = e.seedPlayer({ nickname: 'me' });
    const k = await client(e);
    const tokens = await k.exchange(e.authorize({ ...authInput(e, k), playerId: me.id }));
    const bad = await fetch(e.userinfoUrl, { headers: { authorization: 'Bearer nope' } });
    expect(bad.status).toBe(401);
    const refreshed = await oauth.processRefreshTokenResponse(
      k.as,
      k.c,
      await oauth.refreshTokenGrantRequest(
        k.as,
        k.c,
        oauth.ClientSecretBasic(e.clientSecret),
        tokens.refresh_token as string,
        insecure,
      ),
    );
    const info = await fetch(e.userinfoUrl, {
      headers: { authorization: `Bearer ${refreshed.access_token}` },
    });
    expect((await info.json()).guid).toBe(me.id);
  });

  it('serves an authorize page whose form, submitted over HTTP, redirects with a code', async () => {
    const e = await start();
    e.seedPlayer({ nickname: 'Alice' });
    const bob = e.seedPlayer({ nickname: 'Bob <b>' });
    const k = await client(e);
    const page = await fetch(k.authorizeUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('data-player="Alice"');
    expect(html).toContain('data-player="Bob &#60;b&#62;"');
    expect(html).toMatch(/<button type="submit" name="deny" value="1">Deny<\/button>/);
    expect(html).toContain('<label for="nickname">');

    const form = parseForm(html);
    expect(form.action).toBe('/accounts/authorize');
    expect(form.players.get('Bob &#60;b&#62;')).toBe(bob.id);
    const submit = (extra: [string, string][]) =>
      fetch(new URL(form.action, e.url), {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams([...form.hidden, ['nickname', ''], ...extra]),
      });

    const chosen = await submit([['player_id', bob.id]]);
    expect(chosen.status).toBe(302);
    const location = chosen.headers.get('location') ?? '';
    expect(new URL(location).searchParams.get('state')).toBe(k.state);
    const tokens = await k.exchange(location);
    const info = await (
      await fetch(e.userinfoUrl, { headers: { authorization: `Bearer ${tokens.access_token}` } })
    ).json();
    expect(info.nickname).toBe('Bob <b>');

    const denied = await submit([['deny', '1']]);
    expect(denied.status).toBe(302);
    const deniedUrl = new URL(denied.headers.get('location') ?? '');
    expect(`${deniedUrl.origin}${deniedUrl.pathname}`).toBe(REDIRECT);
    expect(deniedUrl.searchParams.get('error')).toBe('access_denied');
    expect(deniedUrl.searchParams.get('error_description')).toBeTruthy();
    expect(deniedUrl.searchParams.get('state')).toBe(k.state);
    expect(() => oauth.validateAuthResponse(k.as, k.c, deniedUrl, k.state)).toThrow();

    const signup = await fetch(new URL(form.action, e.url), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([...form.hidden, ['nickname', 'NewPlayer'], ['signup', '1']]),
    });
    expect(new URL(signup.headers.get('location') ?? '').searchParams.get('code')).toBeTruthy();
    expect(e.players().map((p) => p.nickname)).toContain('NewPlayer');
  });

  it('never redirects to an unknown client or an unregistered redirect_uri, and requires S256', async () => {
    const e = await start();
    const k = await client(e);
    const variant = (changes: Record<string, string | null | undefined>) => {
      const url = new URL(k.authorizeUrl);
      for (const [key, v] of Object.entries(changes)) {
        if (v === null) url.searchParams.delete(key);
        else if (v !== undefined) url.searchParams.set(key, v);
      }
      return fetch(url, { redirect: 'manual' });
    };
    for (const bad of [{ client_id: 'someone-else' }, { redirect_uri: 'http://127.0.0.1:3000/evil' }]) {
      const res = await variant(bad);
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain('role="alert"');
    }
    for (const bad of [
      { code_challenge: null },
      { code_challenge_method: 'plain' },
      { code_challenge_method: null },
    ]) {
      const res = await variant(bad);
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location') ?? '');
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('state')).toBe(k.state);
    }
    expect(() =>
      e.authorize({ ...authInput(e, k), redirectUri: 'http://127.0.0.1:3000/evil', nickname: 'x' }),
    ).toThrow();
    e.addRedirectUri('http://127.0.0.1:3000/evil');
    expect((await variant({ redirect_uri: 'http://127.0.0.1:3000/evil' })).status).toBe(200);
  });
});

/** The raw token response for a fresh code, without oauth4webapi looking at it. */
async function rawTokens(e: FaceitEmulator): Promise<Record<string, unknown>> {
  const me = e.players()[0] ?? e.seedPlayer({ nickname: 'raw' });
  const k = await client(e);
  const location = new URL(e.authorize({ ...authInput(e, k), playerId: me.id }));
  const res = await fetch(e.tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${e.clientId}:${e.clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: location.searchParams.get('code') ?? '',
      redirect_uri: REDIRECT,
      code_verifier: k.verifier,
    }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

function claims(idToken: unknown): Record<string, unknown> {
  const payload = String(idToken).split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}

describe('id_token modes (FACEIT was reported to send an id_token without exp)', () => {
  it('defaults to no-exp, which oauth4webapi refuses: a client must not depend on the id_token', async () => {
    emu = await startFaceitEmulator({ redirectUris: [REDIRECT] });
    const e = emu;
    const me = e.seedPlayer({ nickname: 'strict' });
    expect(e.idTokenMode()).toBe('no-exp');
    const body = await rawTokens(e);
    const c = claims(body.id_token);
    expect(c).not.toHaveProperty('exp');
    expect(c).toMatchObject({ iss: e.issuer, sub: me.id, aud: e.clientId, guid: me.id });
    expect(typeof c.iat).toBe('number');
    expect(body).toMatchObject({ token_type: 'bearer' });

    const k = await client(e);
    const err = await k
      .exchange(e.authorize({ ...authInput(e, k), playerId: me.id }))
      .catch((x: unknown) => x);
    expect(err).toBeInstanceOf(oauth.OperationProcessingError);
  });

  it('broken: no exp, iat or sub, and an iss with a trailing slash; none: no id_token; complete: every claim', async () => {
    const e = await start();
    e.seedPlayer({ nickname: 'modes' });
    expect(claims((await rawTokens(e)).id_token)).toHaveProperty('exp');

    e.setIdTokenMode('broken');
    const broken = claims((await rawTokens(e)).id_token);
    expect(broken).not.toHaveProperty('exp');
    expect(broken).not.toHaveProperty('iat');
    expect(broken).not.toHaveProperty('sub');
    expect(broken.iss).toBe(`${e.issuer}/`);

    e.setIdTokenMode('none');
    const none = await rawTokens(e);
    expect(none).not.toHaveProperty('id_token');
    expect(typeof none.access_token).toBe('string');
  });

  it('switches mode through the control API and refuses an unknown one', async () => {
    const e = await start();
    const post = (body: unknown) =>
      fetch(`${e.controlUrl}/oauth/id-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const ok = await post({ mode: 'none' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ mode: 'none' });
    expect(e.idTokenMode()).toBe('none');
    const bad = await post({ mode: 'sometimes' });
    expect(bad.status).toBe(400);
    expect(e.idTokenMode()).toBe('none');
    expect(await (await fetch(`${e.controlUrl}/oauth/id-token`)).json()).toEqual({ mode: 'none' });
  });
});

describe('OAuth faults', () => {
  it('answers a 401 invalid_client with or without WWW-Authenticate, or a non-JSON page', async () => {
    const e = await start();
    const setFault = (f: Record<string, unknown>) =>
      fetch(`${e.controlUrl}/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ route: 'oauth.token', kind: 'status', times: 1, ...f }),
      });
    const token = () => fetch(e.tokenUrl, { method: 'POST' });

    expect((await setFault({ status: 401, error: 'invalid_client' })).status).toBe(200);
    const plain = await token();
    expect(plain.status).toBe(401);
    expect(plain.headers.get('www-authenticate')).toBeNull();
    expect(await plain.json()).toMatchObject({ error: 'invalid_client' });

    await setFault({ status: 401, error: 'invalid_client', wwwAuthenticate: 'Basic realm="faceit"' });
    const challenged = await token();
    expect(challenged.headers.get('www-authenticate')).toBe('Basic realm="faceit"');
    expect(await challenged.json()).toMatchObject({ error: 'invalid_client' });

    await setFault({ status: 401, html: '<h1>Unauthorized</h1>' });
    const html = await token();
    expect(html.status).toBe(401);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(await html.text()).toBe('<h1>Unauthorized</h1>');

    e.setFault({ route: 'oauth.userinfo', kind: 'status', status: 503, times: 1 });
    const info = await fetch(e.userinfoUrl);
    expect(info.status).toBe(503);
    expect(await info.json()).toMatchObject({ error: 'server_error' });
  });
});

function authInput(e: FaceitEmulator, k: { state: string; challenge: string }) {
  return {
    clientId: e.clientId,
    redirectUri: REDIRECT,
    state: k.state,
    codeChallenge: k.challenge,
    codeChallengeMethod: 'S256',
  };
}
