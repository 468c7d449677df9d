import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RestGatewayOptions {
  /** Where PostgREST listens: a unix socket path or a host/port. */
  upstream: { socketPath: string } | { host: string; port: number };
  /** Legacy keys (JWTs) accepted in the `apikey` header (Kong's key-auth); anything else is a 401. */
  apiKeys: string[];
  /**
   * Supabase's newer API keys (`sb_secret_…`, `sb_publishable_…`): opaque, not JWTs. Each is accepted in the
   * `apikey` header and stands for the JWT given with it (the service_role or anon key), which is what
   * PostgREST is sent.
   */
  opaqueKeys?: { key: string; jwt: string }[];
  host?: string;
  port?: number;
}

export interface RestGateway {
  url: string;
  server: Server;
  /**
   * `/rest/v1` requests passed to PostgREST so far (each one database round trip of a client), all of them or
   * those whose path (`/rpc/<function>`, `/<table>`, without the query) `which` accepts.
   */
  requests(which?: (path: string) => boolean): number;
  close(): Promise<void>;
}

/**
 * The part of Supabase's Kong that supabase-js relies on: `/rest/v1/*` is PostgREST with the prefix
 * stripped, the `apikey` header must be a known key, and `Authorization` is set as the Supabase CLI's Kong
 * template sets it (supabase/cli `internal/start/start.go`, its kong.yml; packages/sandbox has no Supabase
 * emulator, the test bed is it): an incoming `Authorization` is kept unless it is absent or `Bearer sb_…`
 * (supabase-js sends an opaque key in both headers); then an opaque key's JWT is sent, else
 * `Bearer <apikey>`. Supabase refuses a secret key from a browser (its API keys guide); this gateway refuses a
 * `sb_secret_` key with a browser's `Mozilla/` User-Agent too. Bodies and headers pass through untouched
 * (Content-Range, Preference-Applied…).
 */
export function createRestGateway(opts: RestGatewayOptions): Promise<RestGateway> {
  // Compared in constant time: each key hashed once, the candidate hashed per request and checked
  // against every key (no early exit), so neither a key's content nor which key matched leaks.
  const sha256 = (text: string) => createHash('sha256').update(text).digest();
  const keys = opts.apiKeys.map(sha256);
  const opaque = (opts.opaqueKeys ?? []).map(({ key, jwt }) => ({ hash: sha256(key), jwt }));
  /** The JWT PostgREST gets for `candidate`, or null for an unknown key. */
  const knownKey = (candidate: string): string | null => {
    const hash = sha256(candidate);
    const legacy = keys.reduce((found, key) => timingSafeEqual(hash, key) || found, false);
    const mapped = opaque.reduce<string | null>(
      (found, o) => (timingSafeEqual(hash, o.hash) ? o.jwt : found),
      null,
    );
    return mapped ?? (legacy ? candidate : null);
  };
  const byPath = new Map<string, number>();
  const server = createServer((req, res) => forward(req, res));

  function reply(res: ServerResponse, status: number, message: string) {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message }));
  }

  function forward(req: IncomingMessage, res: ServerResponse) {
    const url = req.url ?? '/';
    if (url === '/health') return reply(res, 200, 'ok');
    if (!url.startsWith('/rest/v1/') && url !== '/rest/v1') return reply(res, 404, 'no route matched');
    const apikey = req.headers.apikey;
    const jwt = typeof apikey === 'string' ? knownKey(apikey) : null;
    if (typeof apikey !== 'string' || jwt === null) return reply(res, 401, 'Invalid API key');
    if (apikey.startsWith('sb_secret_') && /^Mozilla\//.test(req.headers['user-agent'] ?? '')) {
      return reply(res, 401, 'Forbidden use of secret API key in browser');
    }
    const headers = { ...req.headers };
    if (!headers.authorization || /^Bearer sb_/.test(headers.authorization))
      headers.authorization = `Bearer ${jwt}`;
    delete headers.host;
    const path = url.slice('/rest/v1'.length) || '/';
    const bare = path.split('?')[0] ?? path;
    byPath.set(bare, (byPath.get(bare) ?? 0) + 1);
    const upstream = request({ ...opts.upstream, path, method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) reply(res, 502, 'upstream unavailable');
      else res.destroy();
    });
    req.pipe(upstream);
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
        server,
        requests: (which) => {
          let n = 0;
          for (const [path, count] of byPath) if (!which || which(path)) n += count;
          return n;
        },
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
