/** REST route definitions of the Discord API; matching is the shared segment router's. */

import { type RouteMatch, Router as SegmentRouter } from '../shared/router.ts';
import type { SessionStartLimit } from './gateway.ts';
import type { InteractionRegistry } from './interactions.ts';
import type { MessageLog } from './messages.ts';
import type { Store } from './state.ts';

export interface RouteCtx {
  store: Store;
  messages: MessageLog;
  interactions: InteractionRegistry;
  gatewayUrl: string;
  sessionStartLimit: () => SessionStartLimit;
  recommendedShards: () => number;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

export interface Reply {
  status: number;
  body?: unknown;
}

export interface RouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** default true: requires `Authorization: Bot <token>` */
  auth?: boolean;
  /** default true: counts against the global rate limit */
  globalLimit?: boolean;
  handler: (ctx: RouteCtx) => Reply;
}

export interface MatchedRoute extends RouteMatch<RouteDef> {
  /** rate-limit major parameter value */
  major: string;
}

function majorOf(template: string[], params: Record<string, string>): string {
  if (template[0] === 'guilds' && params.guild) return params.guild;
  if (template[0] === 'channels' && params.channel) return params.channel;
  if (template[0] === 'webhooks' && params.app) return `${params.app}:${params.token ?? ''}`;
  if (template[0] === 'interactions' && params.interaction) return params.interaction;
  return '';
}

/** The REST table: the shared segment router plus the rate-limit major parameter of each match. */
export class Router {
  readonly #table: SegmentRouter<RouteDef>;

  constructor(defs: RouteDef[]) {
    this.#table = new SegmentRouter(defs);
  }

  /** The best route for the path, 'method' when only the method is wrong, or null. */
  match(method: string, path: string[]): MatchedRoute | 'method' | null {
    const m = this.#table.match(method, path);
    if (m === null || m === 'method') return m;
    return { ...m, major: majorOf(m.template, m.params) };
  }
}
