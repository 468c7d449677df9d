import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Queue } from 'bullmq';
import type { Hono } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import type { ApiDeps, AppEnv } from '../deps.ts';

export const DASHBOARD_PATH = '/admin/queues';

/**
 * Bull Board at /admin/queues behind HTTP basic auth (constant-time compare in hono/basic-auth).
 * Without ADMIN_USER/ADMIN_PASSWORD it is not mounted at all: dashboard access is Redis access.
 */
export function registerDashboard(app: Hono<AppEnv>, deps: ApiDeps, queues: Queue[]): boolean {
  const user = deps.config.ADMIN_USER;
  const password = deps.config.ADMIN_PASSWORD;
  if (!user || !password) {
    deps.log.info('queue dashboard is off: set ADMIN_USER and ADMIN_PASSWORD to turn it on');
    return false;
  }
  const serverAdapter = new HonoAdapter(serveStatic);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'FACEIT bridge queues' } },
  });
  serverAdapter.setBasePath(DASHBOARD_PATH);
  app.use(DASHBOARD_PATH, basicAuth({ username: user, password, realm: 'FACEIT bridge' }));
  app.use(`${DASHBOARD_PATH}/*`, basicAuth({ username: user, password, realm: 'FACEIT bridge' }));
  app.route(DASHBOARD_PATH, serverAdapter.registerPlugin());
  deps.log.info({ path: DASHBOARD_PATH }, 'queue dashboard on');
  return true;
}
