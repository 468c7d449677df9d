import type { Hono } from 'hono';
import type { AppEnv, RouteDeps } from '../deps.ts';
import { withTimeout } from '../lib/with-timeout.ts';

/** How long one Redis PING answers every /readyz: a probe storm costs one PING a second. */
const READY_CACHE_MS = 1000;

/**
 * `/healthz`: the process is up. `/readyz`: it can take work, i.e. Redis answers. Anyone can call it, so
 * it is cheap (one PING a second at most, shared by every caller) and says only ready or not; why not
 * is in the log, once per change.
 */
export function registerHealth(app: Hono<AppEnv>, deps: RouteDeps): void {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  let checked: { at: number; ready: Promise<boolean> } | undefined;
  let lastProblem: string | null = null;
  const probe = async (): Promise<boolean> => {
    let problem: string | null = null;
    try {
      if (deps.redis.status !== 'ready') problem = `redis ${deps.redis.status}`;
      else await withTimeout(deps.redis.ping(), 500, 'redis ping');
    } catch (err) {
      problem = (err as Error).message;
    }
    if (problem !== lastProblem) {
      if (problem) deps.log.warn({ problem }, 'not ready: redis does not answer');
      else deps.log.info('ready again: redis answers');
      lastProblem = problem;
    }
    return problem === null;
  };
  app.get('/readyz', async (c) => {
    const now = Date.now();
    if (!checked || now - checked.at >= READY_CACHE_MS) checked = { at: now, ready: probe() };
    return (await checked.ready) ? c.json({ status: 'ready' }) : c.json({ status: 'unavailable' }, 503);
  });
}
