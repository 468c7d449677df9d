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
