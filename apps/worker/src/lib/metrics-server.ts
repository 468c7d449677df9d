import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics, WorkerHealth } from '@bridge/core';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The worker's own small HTTP port: `/metrics` for Prometheus and `/healthz` for the container
 * healthcheck (200 while the gateway and Redis are connected, 503 with the reason otherwise).
 */
export function startMetricsServer(
  metrics: Metrics,
  port: number,
  health: () => WorkerHealth,
): Promise<MetricsServer> {
  const server: Server = createServer(async (req, res) => {
    if (req.url === '/metrics') {
      try {
        const body = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body);
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
      }
      return;
    }
    if (req.url === '/healthz') {
      const now = health();
      res
        .writeHead(now.ok ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify(now.ok ? { status: 'ok' } : { status: 'unhealthy', reason: now.reason }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not_found' }));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
