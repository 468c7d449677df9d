import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ApiDeps, AppEnv } from './deps.ts';
import { registerDashboard } from './routes/dashboard.ts';
import { registerFaceitCallback } from './routes/faceit-callback.ts';
import { registerHealth } from './routes/health.ts';
import { registerLinkStart } from './routes/link-start.ts';
import { registerMetrics } from './routes/metrics.ts';
import { registerWebhook } from './routes/webhook.ts';

const CALLER_REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The API as a Hono app; no listening socket, so tests and main.ts decide where it runs. */
export function createApp(deps: ApiDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    // A caller's id is echoed only when it looks like one; anything else gets a fresh id.
    const given = c.req.header('x-request-id');
    const requestId = given !== undefined && CALLER_REQUEST_ID.test(given) ? given : randomUUID();
    c.set('requestId', requestId);
    // On Node the header goes straight onto the ServerResponse. Setting it on Hono's response after
    // next() made @hono/node-server rebuild every response as a WHATWG Response with a body stream,
    // about a tenth of the webhook's CPU in a profile.
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (outgoing) outgoing.setHeader('x-request-id', requestId);
    else c.header('x-request-id', requestId);
    await next();
  });
  registerHealth(app, deps);
  registerWebhook(app, deps);
  registerLinkStart(app, deps);
  registerFaceitCallback(app, deps);
  registerMetrics(app, deps);
  registerDashboard(
    app,
    deps,
    Object.values(deps.queues).filter((q) => q !== undefined),
  );
  app.notFound((c) =>
    c.json({ error: 'not_found', message: `no route for ${c.req.method} ${c.req.path}` }, 404),
  );
  app.onError((err, c) => {
    // Middleware such as basic auth answers by throwing its response (401 with WWW-Authenticate).
    if (err instanceof HTTPException) return err.getResponse();
    deps.log.error({ err, requestId: c.get('requestId'), path: c.req.path }, 'unhandled error');
    return c.json({ error: 'internal', message: 'internal error' }, 500);
  });
  return app;
}
