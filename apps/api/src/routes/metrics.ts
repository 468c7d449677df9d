import type { Hono } from 'hono';
import type { AppEnv, RouteDeps } from '../deps.ts';

/** `GET /metrics`: Prometheus text format. Scrape it from inside your network; it is not authenticated. */
export function registerMetrics(app: Hono<AppEnv>, deps: RouteDeps): void {
  const { metrics } = deps;
  if (!metrics) return;
  app.get('/metrics', async (c) => {
    const body = await metrics.registry.metrics();
    return c.body(body, 200, { 'content-type': metrics.registry.contentType });
  });
}
