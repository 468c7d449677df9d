import type { Hono } from 'hono';
import type { AppEnv, RouteDeps } from '../deps.ts';
import { withTimeout } from '../lib/with-timeout.ts';

/** `/healthz`: the process is up. `/readyz`: it can take work, i.e. Redis answers. */
export function registerHealth(app: Hono<AppEnv>, deps: RouteDeps): void {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    try {
      if (deps.redis.status !== 'ready') throw new Error(`redis ${deps.redis.status}`);
      await withTimeout(deps.redis.ping(), 500, 'redis ping');
      return c.json({ status: 'ready', redis: 'ok' });
    } catch (err) {
      return c.json({ status: 'unavailable', redis: (err as Error).message }, 503);
    }
  });
}
