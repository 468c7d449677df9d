/** Counters exposed by stats(). */
export interface DiscordStats {
  /** REST requests received under /api (control API excluded) */
  requests: number;
  /** "METHOD /route/:template" → count ("unknown" for unmatched paths) */
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
  /** 429 answers, injected or real */
  rateLimited: number;
  rateLimitedByRoute: Record<string, number>;
  /** injected faults that fired (status, ratelimit, hang) */
  faultsInjected: number;
  /** non-2xx answers other than 429 */
  errors: number;
  /** Discord JSON error code → count, e.g. { "40032": 1 } */
  errorsByCode: Record<string, number>;
  gateway: {
    connections: number;
    identifies: number;
    resumes: number;
    invalidSessions: number;
    dispatches: number;
  };
}

export function emptyStats(): DiscordStats {
  return {
    requests: 0,
    byRoute: {},
    byStatus: {},
    rateLimited: 0,
    rateLimitedByRoute: {},
    faultsInjected: 0,
    errors: 0,
    errorsByCode: {},
    gateway: { connections: 0, identifies: 0, resumes: 0, invalidSessions: 0, dispatches: 0 },
  };
}

export function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}
