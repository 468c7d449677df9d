import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRestGateway, type RestGateway } from '../src/gateway.ts';

// The /rest/v1 gateway (the production `gateway` image): only its known API keys pass, whole.

let upstream: ReturnType<typeof createServer>;
let gateway: RestGateway;
const keys = ['anon-key-0123456789abcdef', 'service-role-key-fedcba9876543210'];

beforeAll(async () => {
  upstream = createServer((req, res) =>
    res.end(JSON.stringify({ path: req.url, auth: req.headers.authorization })),
  );
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const { port } = upstream.address() as AddressInfo;
  gateway = await createRestGateway({ upstream: { host: '127.0.0.1', port }, apiKeys: keys });
});
afterAll(async () => {
  await gateway?.close();
  await new Promise((resolve) => upstream?.close(resolve));
});

describe('rest gateway API keys', () => {
  it('passes each known key and refuses anything else, a prefix or an extension of a key included', async () => {
    const call = (apikey?: string) =>
      fetch(`${gateway.url}/rest/v1/player_links`, { headers: apikey === undefined ? {} : { apikey } });
    for (const key of keys) {
      const res = await call(key);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ path: '/player_links', auth: `Bearer ${key}` });
    }
    for (const wrong of [undefined, '', keys[0]!.slice(0, -1), `${keys[1]}x`, keys[0]!.toUpperCase()]) {
      const res = await call(wrong);
      expect(res.status, String(wrong)).toBe(401);
      expect(await res.json()).toEqual({ message: 'Invalid API key' });
    }
  });
});

describe("rest gateway, Supabase's newer keys (sb_secret_…, sb_publishable_…)", () => {
  let opaque: RestGateway;
  const secret = 'sb_secret_0123456789abcdefghijklmnop';
  const publishable = 'sb_publishable_0123456789abcdefghij';
  beforeAll(async () => {
    const { port } = upstream.address() as AddressInfo;
    opaque = await createRestGateway({
      upstream: { host: '127.0.0.1', port },
      apiKeys: keys,
      opaqueKeys: [
        { key: secret, jwt: keys[1]! },
        { key: publishable, jwt: keys[0]! },
      ],
    });
  });
  afterAll(async () => {
    await opaque?.close();
  });
  const call = (headers: Record<string, string>) =>
    fetch(`${opaque.url}/rest/v1/player_links`, { headers }).then(async (r) => ({
      status: r.status,
      body: await r.json(),
    }));

  it('sends PostgREST the JWT a key stands for: apikey alone, or with the key as bearer too (supabase-js)', async () => {
    const forms: Record<string, string>[] = [
      { apikey: secret },
      { apikey: secret, authorization: `Bearer ${secret}` },
    ];
    for (const headers of forms) {
      expect(await call(headers)).toEqual({
        status: 200,
        body: { path: '/player_links', auth: `Bearer ${keys[1]}` },
      });
    }
    expect((await call({ apikey: publishable })).body.auth).toBe(`Bearer ${keys[0]}`);
    // A signed-in user's own token is kept (the key only says which project).
    expect((await call({ apikey: publishable, authorization: 'Bearer user.jwt.token' })).body.auth).toBe(
      'Bearer user.jwt.token',
    );
  });

  it('refuses the secret key as a bearer alone, an unknown sb_ key, and the secret key from a browser', async () => {
    expect((await call({ authorization: `Bearer ${secret}` })).status).toBe(401);
    expect((await call({ apikey: `${secret}x` })).status).toBe(401);
    const browser = await call({ apikey: secret, 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)' });
    expect(browser.status).toBe(401);
  });
});
