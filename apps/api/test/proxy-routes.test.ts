// deploy/Caddyfile passes only the API's public routes on to it: each of them, and nothing else.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_PATH } from '../src/dashboard/mount.ts';
import { CALLBACK_PATH } from '../src/routes/faceit-callback.ts';
import { LINK_START_PATH } from '../src/routes/link-start.ts';
import { WEBHOOK_PATH } from '../src/routes/webhook.ts';
import { startTestApi, type TestApi } from './harness.ts';

const caddyfile = readFileSync(join(import.meta.dirname, '../../../deploy/Caddyfile'), 'utf8');
const proxied = (/^\s*@public path (.+)$/m.exec(caddyfile)?.[1] ?? '').trim().split(/\s+/);

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ admin: { user: 'ops', password: 'a-long-dashboard-password' } });
});
afterAll(async () => {
  await api?.stop();
});

describe('deploy/Caddyfile', () => {
  it("proxies exactly the API's public routes", () => {
    expect(proxied.sort()).toEqual(
      [
        WEBHOOK_PATH,
        LINK_START_PATH,
        CALLBACK_PATH,
        '/healthz',
        '/readyz',
        DASHBOARD_PATH,
        `${DASHBOARD_PATH}/*`,
      ].sort(),
    );
    // Everything else is answered by the proxy itself.
    expect(caddyfile).toMatch(/handle \{\s*respond 404\s*\}/);
  });

  it('each of them is served by the API (none answers 404), and /metrics is not among them', async () => {
    for (const path of proxied.filter((p) => !p.endsWith('*'))) {
      const res = await fetch(`${api.url}${path}`, { method: path === WEBHOOK_PATH ? 'POST' : 'GET' });
      expect(res.status, path).not.toBe(404);
    }
    expect(proxied).not.toContain('/metrics');
  });

  it('sends to every api copy on the port the API listens on in compose', () => {
    const compose = readFileSync(join(import.meta.dirname, '../../../docker-compose.yml'), 'utf8');
    expect(caddyfile).toMatch(/^\{\$BRIDGE_HOST\} \{$/m);
    expect(caddyfile).toMatch(/dynamic a \{\s*name api\s*port 3000\s*refresh \d+s\s*\}/);
    expect(compose).toMatch(/^ {2}api:\n(?:.*\n)*? {6}PORT: "3000"$/m);
    expect(compose).toContain('./deploy/Caddyfile:/etc/caddy/Caddyfile:ro');
  });
});
