import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { registerDashboard } from './dashboard/mount.ts';
import type { ApiDeps, AppEnv, RouteDeps } from './deps.ts';
import { createSampledLog } from './lib/sampled-log.ts';
import { registerFaceitCallback } from './routes/faceit-callback.ts';
import { registerHealth } from './routes/health.ts';
import { registerLinkStart } from './routes/link-start.ts';
import { registerWebhook } from './routes/webhook.ts';

const CALLER_REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * On every answer (JSON, HTML, 404s): never sniffed, never framed, loads nothing, sends no Referer.
 * Pages that need more (the dashboard, the link pages) set their own policy, which wins: Node merges
 * these with the response's own headers, the response's taking precedence. Set on Node's response
 * rather than through hono/secure-headers, whose after-next() header writes made @hono/node-server
 * rebuild every response (see the request id below).
 */
const BASE_HEADERS: [string, string][] = [
  ['x-content-type-options', 'nosniff'],
  ['x-frame-options', 'DENY'],
  ['content-security-policy', "default-src 'none'; frame-ancestors 'none'"],
  ['referrer-policy', 'no-referrer'],
  ['cross-origin-resource-policy', 'same-origin'],
];

/** The API as a Hono app; no listening socket, so tests and main.ts decide where it runs. */
export function createApp(api: ApiDeps): Hono<AppEnv> {
  const deps: RouteDeps = { ...api, sampledLog: api.sampledLog ?? createSampledLog(api.log) };
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
    if (outgoing) {
      outgoing.setHeader('x-request-id', requestId);
      for (const [name, value] of BASE_HEADERS) outgoing.setHeader(name, value);
    } else {
      c.header('x-request-id', requestId);
      for (const [name, value] of BASE_HEADERS) c.header(name, value);
    }
    await next();
  });
  registerHealth(app, deps);
  registerWebhook(app, deps);
  registerLinkStart(app, deps);
  registerFaceitCallback(app, deps);
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
