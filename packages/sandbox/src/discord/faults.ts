/** Injected faults (status, 429, sublimit 429, hang) and latency, matched by method and route. */
import { FaultList } from '../shared/fault-list.ts';

export interface FaultSpec {
  method?: string;
  /** 'POST /guilds/:guild/channels', '/channels/:channel', 'PATCH /guilds/123/members/456', '*', or a RegExp tested
   *  against "METHOD /path" (path relative to /api/v10, e.g. "POST /guilds/1/channels") */
  route: string | RegExp;
  /** 'sublimit': a 429 with `X-RateLimit-Remaining` > 0 and a long `Retry-After` (discord.js sleeps it out) */
  kind: 'status' | 'ratelimit' | 'sublimit' | 'hang';
  /** for kind 'status'; default 500 */
  status?: number;
  /** seconds, for kinds 'ratelimit' (default 1) and 'sublimit' (default 60) */
  retryAfter?: number;
  /** for kind 'ratelimit': a global rate limit */
  global?: boolean;
  /** fire this many times, then stop; default: forever */
  times?: number;
  /** for kind 'status': response body; default Discord's `{ message: "<status>: ...", code: 0 }` */
  body?: unknown;
}

interface Matcher {
  method: string | null;
  segments: string[] | null;
  regex: RegExp | null;
}

function matcher(route: string | RegExp, method?: string): Matcher {
  if (route instanceof RegExp) return { method: method?.toUpperCase() ?? null, segments: null, regex: route };
  let text = route.trim();
  let m = method?.toUpperCase() ?? null;
  const space = /^([A-Za-z]+)\s+(.*)$/.exec(text);
  if (space?.[1] && space[2] !== undefined) {
    m = space[1].toUpperCase();
    text = space[2];
  }
  text = text.replace(/^\/?api/, '').replace(/^\/?v10/, '');
  if (text === '*' || text === '' || text === '/') return { method: m, segments: null, regex: null };
  return { method: m, segments: text.split('/').filter(Boolean), regex: null };
}

function matches(mt: Matcher, method: string, template: string[], path: string[]): boolean {
  if (mt.method && mt.method !== method) return false;
  if (mt.regex) {
    const line = `${method} /${path.join('/')}`;
    const tline = `${method} /${template.join('/')}`;
    mt.regex.lastIndex = 0;
    if (mt.regex.test(line)) return true;
    mt.regex.lastIndex = 0;
    return mt.regex.test(tline);
  }
  if (!mt.segments) return true;
  if (mt.segments.length !== path.length) return false;
  return mt.segments.every((seg, i) => {
    if (seg.startsWith(':') || seg.startsWith('{') || seg === '*') return true;
    return seg === template[i] || seg === path[i];
  });
}

/** Requests held by `holdRequests` until `release()`; `waiting`: how many are held right now. */
export interface RequestHold {
  release(): void;
  readonly waiting: number;
}

export class Faults {
  readonly #faults = new FaultList<{ spec: FaultSpec; m: Matcher }>();
  #latency: Array<{ m: Matcher; ms: number; key: string }> = [];
  #holds: Array<{ m: Matcher; left: number; waiting: number; released: Promise<void>; release: () => void }> =
    [];

  add(spec: FaultSpec): void {
    this.#faults.add({ spec, m: matcher(spec.route, spec.method) }, spec.times);
  }

  /** Latency for a route ('*' = every request); several matching entries add up. 0 removes the entry. */
  setLatency(route: string | RegExp, ms: number): void {
    const key = String(route);
    this.#latency = this.#latency.filter((l) => l.key !== key);
    if (ms > 0) this.#latency.push({ m: matcher(route), ms, key });
  }

  /**
   * Holds the next `times` matching requests (default: every one) before they are handled, until the
   * returned function is called: a latency the test ends when it chooses, answered with the state as it is then.
   */
  hold(route: string | RegExp, times = Number.POSITIVE_INFINITY): RequestHold {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const entry = { m: matcher(route), left: times, waiting: 0, released, release };
    this.#holds.push(entry);
    return {
      release: () => {
        this.#holds = this.#holds.filter((h) => h !== entry);
        release();
      },
      get waiting() {
        return entry.waiting;
      },
    };
  }

  clear(): void {
    this.#faults.clear();
    this.#latency = [];
    for (const h of this.#holds.splice(0)) h.release();
  }

  /** The first matching fault, consuming one of its `times`. */
  take(method: string, template: string[], path: string[]): FaultSpec | undefined {
    return this.#faults.take((f) => matches(f.m, method, template, path))?.spec;
  }

  /** Resolves once every hold the request counts against is released (at once when none matches). */
  async held(method: string, template: string[], path: string[]): Promise<void> {
    const holding = this.#holds.filter((h) => h.left > 0 && matches(h.m, method, template, path));
    for (const h of holding) {
      h.left--;
      h.waiting++;
      void h.released.then(() => h.waiting--);
    }
    await Promise.all(holding.map((h) => h.released));
  }

  latency(method: string, template: string[], path: string[]): number {
    return this.#latency.reduce((sum, l) => (matches(l.m, method, template, path) ? sum + l.ms : sum), 0);
  }
}
