import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import type { ApiDeps } from './deps.ts';

export interface RunningApi {
  url: string;
  port: number;
  server: Server;
  /** Stops accepting connections and waits for in-flight requests. */
  close(): Promise<void>;
}

/**
 * Timeouts for a listener anyone can reach (Node's defaults let a client hold a connection for
 * 60 s of headers or 300 s of body). FACEIT's deliveries and the link pages are small: 10 s for the
 * headers and 15 s for the whole request are plenty, and a slow client cannot pin sockets.
 */
export const SERVER_TIMEOUTS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  /** Idle keep-alive sockets close after this; above a typical proxy's 60 s would leak, below it is fine. */
  keepAliveTimeoutMs: 5_000,
  /** Requests one keep-alive connection may make before Node asks the client to reconnect. */
  maxRequestsPerSocket: 1000,
};

/** Starts the API on a port (0 = any free port). */
export function startApi(
  deps: ApiDeps,
  opts: { port?: number; host?: string; timeouts?: Partial<typeof SERVER_TIMEOUTS> } = {},
): Promise<RunningApi> {
  const app = createApp(deps);
  const host = opts.host ?? '127.0.0.1';
  const t = { ...SERVER_TIMEOUTS, ...opts.timeouts };
  return new Promise((resolve) => {
    const server = serve(
      {
        fetch: app.fetch,
        port: opts.port ?? 0,
        hostname: host,
        serverOptions: {
          headersTimeout: t.headersTimeoutMs,
          requestTimeout: t.requestTimeoutMs,
          keepAliveTimeout: t.keepAliveTimeoutMs,
          // How often Node looks for requests over those timeouts (default 30 s).
          connectionsCheckingInterval: Math.min(1000, t.headersTimeoutMs),
        },
      },
      (info: AddressInfo) => {
        const shownHost = host === '0.0.0.0' ? '127.0.0.1' : host;
        resolve({
          url: `http://${shownHost}:${info.port}`,
          port: info.port,
          server: server as Server,
          close: () =>
            new Promise<void>((done) => {
              (server as Server).close(() => done());
              (server as Server).closeIdleConnections();
            }),
        });
      },
    ) as Server;
    server.maxRequestsPerSocket = t.maxRequestsPerSocket;
  });
}
