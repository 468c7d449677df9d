// Injected faults (forced status, forced 429, hung request) and per-route latency.
import type { ServerResponse } from 'node:http';
import { FaultList } from '../shared/fault-list.ts';
import { dataError, sendJson } from './http.ts';
import { renderOAuthFault } from './oauth-faults.ts';
import type { Fault } from './types.ts';

function matches(pattern: string, route: string): boolean {
  if (pattern === '*' || pattern === route) return true;
  return pattern.endsWith('.*') && route.startsWith(pattern.slice(0, -1));
}

export class Faults {
  private readonly faults = new FaultList<Fault>();
  private readonly latency = new Map<string, number>();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  set(fault: Fault): void {
    if (!['status', 'ratelimit', 'hang'].includes(fault.kind))
      throw new Error(`unknown fault kind: ${fault.kind}`);
    if (typeof fault.route !== 'string' || fault.route === '') throw new Error('fault.route is required');
    if (fault.times !== undefined && !(Number.isInteger(fault.times) && fault.times > 0))
      throw new Error('fault.times must be a positive integer');
    this.faults.add({ ...fault }, fault.times);
  }

  setLatency(route: string, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error('latency must be a non-negative number of ms');
    if (ms === 0) this.latency.delete(route);
    else this.latency.set(route, ms);
  }

  clear(): void {
    this.faults.clear();
    this.latency.clear();
  }

  /** The first fault for this route, consuming one of its `times`. */
  take(route: string): Fault | undefined {
    return this.faults.take((f) => matches(f.route, route));
  }

  latencyFor(route: string): number {
    let ms = 0;
    for (const [pattern, value] of this.latency) if (matches(pattern, route)) ms = Math.max(ms, value);
    return ms;
  }

  /** Waits `ms`; resolves early when the emulator closes. */
  delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.timers.add(entry);
    });
  }

  snapshot(): { faults: Fault[]; latency: Record<string, number> } {
    const faults = this.faults
      .pending()
      .map(({ fault, left }) => (Number.isFinite(left) ? { ...fault, times: left } : { ...fault }));
    return { faults, latency: Object.fromEntries(this.latency) };
  }

  close(): void {
    for (const entry of this.timers) {
      clearTimeout(entry.timer);
      entry.resolve();
    }
    this.timers.clear();
  }
}

/** Answers a faulted request: `hang` leaves it open (close() drops it), others send the forced error. */
export function renderFault(
  family: 'data' | 'oauth',
  fault: Fault,
  res: ServerResponse,
  limit: number,
): void {
  if (fault.kind === 'hang') return;
  if (fault.kind === 'ratelimit') {
    const retryAfter = String(fault.retryAfter ?? 1);
    sendJson(
      res,
      429,
      family === 'data'
        ? dataError(429, 'err_too_many_requests', 'Too many requests')
        : { error: 'too_many_requests', error_description: 'Rate limit exceeded' },
      {
        'retry-after': retryAfter,
        'ratelimit-limit': `${limit}, ${limit};w=1`,
        'ratelimit-remaining': '0',
        'ratelimit-reset': retryAfter,
        'x-faceit-ratelimit-name': 'gateway-open-faceit-ratelimit',
      },
    );
    return;
  }
  if (family === 'oauth') {
    renderOAuthFault(fault, res);
    return;
  }
  const status = fault.status ?? 500;
  // A forced 404 is indistinguishable from a real one: the real `err_nf0` body.
  sendJson(
    res,
    status,
    status === 404
      ? dataError(404, 'err_nf0', 'The resource was not found.')
      : dataError(status, 'err_sandbox_fault', 'Injected fault'),
  );
}
