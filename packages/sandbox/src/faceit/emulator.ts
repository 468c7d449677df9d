// startFaceitEmulator: one node:http server hosting the Data API, FACEIT Connect and the control API,
// plus the webhook driver that POSTs deliveries to the service under test.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from '../shared/router.ts';
import { CONTROL_PREFIX, handleControl } from './control-api.ts';
import { dataApiRoutes } from './data-api.ts';
import { Faults, renderFault } from './faults.ts';
import { dataError, HttpError, sendJson } from './http.ts';
import { JwtSigner } from './jwt.ts';
import { OAuthServer } from './oauth.ts';
import { oauthRoutes } from './oauth-routes.ts';
import { RateLimiter } from './rate-limit.ts';
import type { Route } from './router.ts';
import { FaceitState } from './state.ts';
import type { FaceitEmulator, FaceitEmulatorOptions, FaceitRequestRecord } from './types.ts';
import { WebhookDriver } from './webhook-driver.ts';

export type { FaceitEmulator, FaceitEmulatorOptions } from './types.ts';

const clone = <T>(v: T): T => structuredClone(v);
/** How many served requests `requestLog()` keeps (the oldest go first). */
const REQUEST_LOG_MAX = 10_000;

/** '/a/b/' → ['a', 'b', ''] (a trailing slash stays significant); undefined when a segment is badly encoded. */
function pathSegments(pathname: string): string[] | undefined {
  try {
    return pathname.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

export async function startFaceitEmulator(opts: FaceitEmulatorOptions = {}): Promise<FaceitEmulator> {
  let offset = 0;
  const clock = opts.now ?? Date.now;
  const now = () => clock() + offset;
  let base = '';
  const state = new FaceitState(now);
  const faults = new Faults();
  const signer = new JwtSigner();
  const limiter = new RateLimiter(opts.rateLimitPerSecond ?? 10, 1000, now);
  const apiKey = opts.apiKey ?? randomUUID();
  const appId = opts.appId ?? randomUUID();
  const oauth = new OAuthServer(
    {
      clientId: opts.clientId ?? randomUUID(),
      clientSecret: opts.clientSecret ?? randomBytes(24).toString('base64url'),
      redirectUris: new Set(opts.redirectUris ?? []),
      codeTtlMs: opts.codeTtlMs ?? 60_000,
      tokenTtlSec: opts.tokenTtlSec ?? 3600,
      issuer: () => opts.issuer ?? `${base}/auth`,
      userinfoSub: opts.userinfoSub ?? false,
      idToken: opts.idToken ?? 'no-exp',
    },
    state,
    signer,
    now,
  );
  const driver = new WebhookDriver(state, appId, now, (ms) => {
    offset += ms;
  });
  const counters = { requests: 0, rateLimited: 0, faultsInjected: 0, controlRequests: 0 };
  const byRoute: Record<string, number> = {};
  const requestLog: FaceitRequestRecord[] = [];
  const waiters: { route: string; count: number; resolve: () => void }[] = [];
  const seen = (route: string): number => (route === '*' ? counters.requests : (byRoute[route] ?? 0));
  const wakeWaiters = (): void => {
    for (const w of [...waiters]) {
      if (seen(w.route) < w.count) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  const routes = new Router<Route>([
    ...dataApiRoutes({ state, limiter, apiKey: () => apiKey, onRateLimited: () => counters.rateLimited++ }),
    ...oauthRoutes({ oauth, state, signer, baseUrl: () => base }),
  ]);

  const serve = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = pathSegments(url.pathname);
    // HEAD is served by the GET route, as node:http drops the body.
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    const found = path ? routes.match(method, path) : null;
    if (path && found === 'method') {
      return sendJson(res, 405, { error: 'method_not_allowed' }, { allow: routes.allowed(path).join(', ') });
    }
    if (found === null || found === 'method') {
      if (url.pathname.startsWith('/data/')) {
        return sendJson(res, 404, dataError(404, 'err_nf0', 'The resource was not found.'));
      }
      return sendJson(res, 404, { error: 'not_found' });
    }
    const { def: route, params } = found;
    counters.requests += 1;
    byRoute[route.name] = (byRoute[route.name] ?? 0) + 1;
    requestLog.push({ route: route.name, path: `${url.pathname}${url.search}`, at: now() });
    if (requestLog.length > REQUEST_LOG_MAX) requestLog.shift();
    wakeWaiters();
    const latency = faults.latencyFor(route.name);
    if (latency > 0) await faults.delay(latency);
    const fault = faults.take(route.name);
    if (fault) {
      counters.faultsInjected += 1;
      if (fault.kind === 'ratelimit') counters.rateLimited += 1;
      return renderFault(route.family, fault, res, opts.rateLimitPerSecond ?? 10);
    }
    await route.handle(req, res, { url, params });
  };

  let emu: FaceitEmulator;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    const control = url.pathname === CONTROL_PREFIX || url.pathname.startsWith(`${CONTROL_PREFIX}/`);
    if (control) counters.controlRequests += 1;
    const work = control
      ? handleControl(req, res, url.pathname.slice(CONTROL_PREFIX.length), emu, {
          faults: () => faults.snapshot(),
        })
      : serve(req, res, url);
    work.catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      const message = err instanceof Error ? err.message : String(err);
      let status = control ? 400 : 500;
      if (err instanceof HttpError) status = err.status;
      else if (control && message.startsWith('unknown match')) status = 404;
      sendJson(res, status, { error: message });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let closed: Promise<void> | undefined;
  emu = {
    url: base,
    dataApiUrl: `${base}/data/v4`,
    authUrl: `${base}/accounts`,
    tokenUrl: `${base}/auth/v1/oauth/token`,
    userinfoUrl: `${base}/auth/v1/resources/userinfo`,
    issuer: oauth.config.issuer(),
    discoveryUrl: `${base}/auth/v1/openid_configuration`,
    jwksUrl: `${base}/auth/v1/oauth/certs`,
    controlUrl: `${base}${CONTROL_PREFIX}`,
    apiKey,
    clientId: oauth.config.clientId,
    clientSecret: oauth.config.clientSecret,
    appId,

    addRedirectUri: (uri) => {
      new URL(uri);
      oauth.config.redirectUris.add(uri);
    },
    redirectUris: () => [...oauth.config.redirectUris],
    seedPlayer: (p) => clone(state.seedPlayer(p)),
    seedMatch: (m) => clone(state.seedMatch(m)),
    setRoster: (id, faction, players) => clone(state.setRoster(id, faction, players)),
    setStatus: (id, status, o) => clone(state.setStatus(id, status, o)),
    swapPlayer: (id, faction, out, into) => clone(state.swapPlayer(id, faction, out, into)),
    finishMap: (id, o) => clone(state.finishMap(id, o)),
    hideMatch: (id, ms) => clone(state.hideMatch(id, ms)),
    players: () => [...state.players.values()].map(clone),
    matches: () => [...state.matches.values()].map(clone),
    getMatch: (id) => clone(state.getMatch(id)),

    buildWebhook: (id, event, o) => driver.build(id, event, o),
    deliver: (target, envelope) => driver.deliver(target, envelope),
    redeliver: (target, envelope) => driver.redeliver(target, envelope),
    play: (target, id, events, o) => driver.play(target, id, events, o),
    playTimeline: (target, id, o) => driver.playTimeline(target, id, o),
    deliveries: () => [...driver.log],
    lastDelivered: (eventId) => driver.lastEnvelope(eventId),

    authorize: (input) => oauth.authorize(input),
    setIdTokenMode: (mode) => oauth.setIdTokenMode(mode),
    idTokenMode: () => oauth.config.idToken,

    setFault: (f) => faults.set(f),
    setLatency: (route, ms) => faults.setLatency(route, ms),
    clearFaults: () => faults.clear(),
    advanceTime: (ms) => {
      if (!Number.isFinite(ms) || ms < 0) throw new Error('advanceTime needs a non-negative number of ms');
      offset += ms;
    },
    now,
    stats: () => ({
      ...counters,
      byRoute: { ...byRoute },
      tokenRequests: byRoute['oauth.token'] ?? 0,
      tokensIssued: oauth.tokensIssued,
      userinfoRequests: byRoute['oauth.userinfo'] ?? 0,
      codesIssued: oauth.codesIssued,
      webhooksDelivered: driver.delivered,
    }),
    requestLog: () => requestLog.map((r) => ({ ...r })),
    waitForRequest: (route, count = 1) =>
      seen(route) >= count
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ route, count, resolve })),
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        driver.close();
        faults.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
  return emu;
}
