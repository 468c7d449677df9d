import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Queue } from 'bullmq';
import type { Hono, MiddlewareHandler } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv, RouteDeps } from '../deps.ts';
import { clientAddress } from '../lib/client-address.ts';
import { sameOriginWrites } from '../lib/same-origin.ts';
import { createAuthThrottle } from './auth-throttle.ts';
import { hideSecrets } from './job-view.ts';

export const DASHBOARD_PATH = '/admin/queues';
/** Wrong passwords a client may send per window before every attempt is refused until it ends. */
export const DASHBOARD_AUTH_MAX_FAILURES = 10;
export const DASHBOARD_AUTH_WINDOW_SEC = 15 * 60;

/**
 * Never framed (clickjacking), nothing loaded from elsewhere (the board's own Google Fonts link is
 * dropped: the UI falls back to system fonts and the operator's browser talks to no third party).
 * React sets inline styles, hence 'unsafe-inline' for styles only; scripts come from 'self' alone.
 */
const dashboardHeaders = secureHeaders({
  xFrameOptions: 'DENY',
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  referrerPolicy: 'same-origin',
});

/**
 * Bull Board at /admin/queues behind HTTP basic auth (constant-time compare in hono/basic-auth).
 * Without ADMIN_USER/ADMIN_PASSWORD it is not mounted at all: dashboard access is Redis access.
 * A page the operator visits must not act through the browser's cached credentials (same-origin
 * writes only), the board is never framed, wrong passwords are throttled per client, and job data
 * is shown without secrets or link pairings.
 */
export function registerDashboard(app: Hono<AppEnv>, deps: RouteDeps, queues: Queue[]): boolean {
  const user = deps.config.ADMIN_USER;
  const password = deps.config.ADMIN_PASSWORD;
  if (!user || !password) {
    deps.log.info('queue dashboard is off: set ADMIN_USER and ADMIN_PASSWORD to turn it on');
    return false;
  }
  const serverAdapter = new HonoAdapter(serveStatic);
  createBullBoard({
    queues: queues.map((q) => hideSecrets(new BullMQAdapter(q), q.name)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'FACEIT bridge queues' } },
  });
  serverAdapter.setBasePath(DASHBOARD_PATH);
  const guard = [
    dashboardHeaders,
    sameOriginWrites(),
    throttledBasicAuth(deps, basicAuth({ username: user, password, realm: 'FACEIT bridge' })),
  ];
  app.use(DASHBOARD_PATH, ...guard);
  app.use(`${DASHBOARD_PATH}/*`, ...guard);
  app.route(DASHBOARD_PATH, serverAdapter.registerPlugin());
  deps.log.info({ path: DASHBOARD_PATH }, 'queue dashboard on');
  return true;
}

/** Basic auth that refuses a client over its window of wrong passwords without checking the password. */
function throttledBasicAuth(deps: RouteDeps, auth: MiddlewareHandler): MiddlewareHandler {
  const throttle = createAuthThrottle(deps.redis, deps.config.QUEUE_PREFIX, {
    max: DASHBOARD_AUTH_MAX_FAILURES,
    windowSec: DASHBOARD_AUTH_WINDOW_SEC,
  });
  const hops = deps.config.TRUSTED_PROXY_HOPS;
  return async (c, next) => {
    if (deps.redis.status !== 'ready') {
      return c.json({ error: 'unavailable', message: 'the dashboard needs Redis' }, 503);
    }
    const client = clientAddress(c, hops);
    const wait = await throttle.blockedFor(client);
    if (wait > 0) {
      deps.sampledLog.warn('dashboard login throttled', { outcome: 'throttled' });
      c.header('retry-after', String(wait));
      return c.json(
        { error: 'too_many_attempts', message: `too many wrong passwords; retry in ${wait} s` },
        429,
      );
    }
    try {
      await auth(c, next);
    } catch (err) {
      // A request without credentials is the browser asking for the prompt, not a guess.
      if (err instanceof HTTPException && err.status === 401 && c.req.header('authorization')) {
        await throttle.failed(client);
        deps.sampledLog.warn('dashboard login refused: wrong credentials', { outcome: 'unauthorized' });
      }
      throw err;
    }
  };
}
