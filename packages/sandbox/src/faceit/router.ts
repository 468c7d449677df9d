// Route table entries of the FACEIT emulator; matching is the shared segment router's.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RouteContext {
  url: URL;
  params: Record<string, string>;
}

export interface Route {
  /** Stable name used by stats().byRoute and setFault({ route }). */
  name: string;
  method: string;
  /** Template like '/data/v4/matches/:match'; a trailing slash is part of the path. */
  path: string;
  /** How injected faults are rendered: the Data API `errors[]` envelope or an OAuth `{error}` body. */
  family: 'data' | 'oauth';
  handle(req: IncomingMessage, res: ServerResponse, ctx: RouteContext): void | Promise<void>;
}
