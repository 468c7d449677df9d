import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import type { ApiDeps, AppEnv } from './deps.ts';
import { registerHealth } from './routes/health.ts';
import { registerWebhook } from './routes/webhook.ts';

/** The API as a Hono app; no listening socket, so tests and main.ts decide where it runs. */
export function createApp(deps: ApiDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    const requestId = c.req.header('x-request-id') ?? randomUUID();
    c.set('requestId', requestId);
    await next();
    c.header('x-request-id', requestId);
  });
  registerHealth(app, deps);
  registerWebhook(app, deps);
  app.notFound((c) =>
    c.json({ error: 'not_found', message: `no route for ${c.req.method} ${c.req.path}` }, 404),
  );
  app.onError((err, c) => {
    deps.log.error({ err, requestId: c.get('requestId'), path: c.req.path }, 'unhandled error');
    return c.json({ error: 'internal', message: 'internal error' }, 500);
  });
  return app;
}
