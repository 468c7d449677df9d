// Route table types and matching.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RouteContext {
  url: URL;
  params: string[];
}

export interface Route {
  /** Stable name used by stats().byRoute and setFault({ route }). */
  name: string;
  method: string;
  pattern: RegExp;
  /** How injected faults are rendered: the Data API `errors[]` envelope or an OAuth `{error}` body. */
  family: 'data' | 'oauth';
  handle(req: IncomingMessage, res: ServerResponse, ctx: RouteContext): void | Promise<void>;
}

export type RouteMatch =
  | { kind: 'found'; route: Route; params: string[] }
  | { kind: 'method'; allow: string[] }
  | { kind: 'none' };

export function matchRoute(routes: Route[], method: string, pathname: string): RouteMatch {
  const allow: string[] = [];
  for (const route of routes) {
    const m = route.pattern.exec(pathname);
    if (!m) continue;
    if (route.method === method || (route.method === 'GET' && method === 'HEAD')) {
      return { kind: 'found', route, params: m.slice(1).map((p) => decodeURIComponent(p ?? '')) };
    }
    allow.push(route.method);
  }
  return allow.length ? { kind: 'method', allow } : { kind: 'none' };
}
