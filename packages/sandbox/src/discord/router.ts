/** REST route table: templates like '/guilds/:guild/channels', matched segment by segment (literals win). */
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

export interface MatchedRoute {
  def: RouteDef;
  /** e.g. "POST /guilds/:guild/channels" */
  key: string;
  template: string[];
  params: Record<string, string>;
  /** rate-limit major parameter value */
  major: string;
}

interface Compiled {
  def: RouteDef;
  segments: string[];
  literals: number;
}

function majorOf(template: string[], params: Record<string, string>): string {
  if (template[0] === 'guilds' && params.guild) return params.guild;
  if (template[0] === 'channels' && params.channel) return params.channel;
  if (template[0] === 'webhooks' && params.app) return `${params.app}:${params.token ?? ''}`;
  if (template[0] === 'interactions' && params.interaction) return params.interaction;
  return '';
}

export class Router {
  readonly #routes: Compiled[];

  constructor(defs: RouteDef[]) {
    this.#routes = defs.map((def) => {
      const segments = def.path.split('/').filter(Boolean);
      return { def, segments, literals: segments.filter((s) => !s.startsWith(':')).length };
    });
  }

  /** The best route for the path, 'method' when only the method is wrong, or null. */
  match(method: string, path: string[]): MatchedRoute | 'method' | null {
    let best: { c: Compiled; params: Record<string, string> } | null = null;
    let pathMatched = false;
    for (const c of this.#routes) {
      if (c.segments.length !== path.length) continue;
      const params: Record<string, string> = {};
      const ok = c.segments.every((seg, i) => {
        const value = path[i] ?? '';
        if (seg.startsWith(':')) {
          params[seg.slice(1)] = value;
          return value.length > 0;
        }
        return seg === value;
      });
      if (!ok) continue;
      pathMatched = true;
      if (c.def.method !== method) continue;
      if (!best || c.literals > best.c.literals) best = { c, params };
    }
    if (!best) return pathMatched ? 'method' : null;
    return {
      def: best.c.def,
      key: `${method} /${best.c.segments.join('/')}`,
      template: best.c.segments,
      params: best.params,
      major: majorOf(best.c.segments, best.params),
    };
  }
}
