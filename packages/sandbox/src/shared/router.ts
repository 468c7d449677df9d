/** Route tables of path templates like '/guilds/:guild/channels', matched segment by segment (literals win).
 *  Used by both emulators' APIs and the Discord control API. */

export interface RoutePattern {
  method: string;
  path: string;
}

export interface RouteMatch<D extends RoutePattern> {
  def: D;
  /** e.g. "POST /guilds/:guild/channels" */
  key: string;
  template: string[];
  params: Record<string, string>;
}

interface Compiled<D> {
  def: D;
  segments: string[];
  literals: number;
}

export class Router<D extends RoutePattern> {
  readonly #routes: Compiled<D>[];

  constructor(defs: D[]) {
    this.#routes = defs.map((def) => {
      // '/a/b/' keeps its trailing empty segment: a route with and without the slash are different routes.
      const segments = def.path.split('/').slice(1);
      return { def, segments, literals: segments.filter((s) => !s.startsWith(':')).length };
    });
  }

  /** The best route for the path, 'method' when only the method is wrong, or null. */
  match(method: string, path: string[]): RouteMatch<D> | 'method' | null {
    let best: { c: Compiled<D>; params: Record<string, string> } | null = null;
    let pathMatched = false;
    for (const c of this.#routes) {
      const params = bind(c.segments, path);
      if (!params) continue;
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
    };
  }

  /** The methods some route serves at this path (for a 405's `Allow`). */
  allowed(path: string[]): string[] {
    return this.#routes.filter((c) => bind(c.segments, path) !== null).map((c) => c.def.method);
  }
}

/** The template's parameters bound to the path's segments, or null when the path does not fit. */
function bind(template: string[], path: string[]): Record<string, string> | null {
  if (template.length !== path.length) return null;
  const params: Record<string, string> = {};
  const ok = template.every((seg, i) => {
    const value = path[i] ?? '';
    if (seg.startsWith(':')) {
      params[seg.slice(1)] = value;
      return value.length > 0;
    }
    return seg === value;
  });
  return ok ? params : null;
}
