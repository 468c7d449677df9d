import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from '@bridge/core';

export interface RunningMetrics {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The API's internal listener (API_METRICS_PORT): `GET /metrics` for Prometheus and nothing else.
 * Kept off the public port: the metrics show traffic, failures and internals, and a scrape reads
 * Redis. Do not publish this port; scrape it from inside your network.
 */
export function startMetricsServer(
  metrics: Metrics,
  opts: { port?: number; host?: string } = {},
): Promise<RunningMetrics> {
  const host = opts.host ?? '127.0.0.1';
  const server: Server = createServer(async (req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') {
      try {
        const body = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body);
      } catch {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics could not be collected');
      }
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
