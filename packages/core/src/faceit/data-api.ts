import { z } from 'zod';
import { pause } from '../pause.ts';
import type { RateLimiter } from './rate-limiter.ts';

/** Optional fields accept `null` as well as absence: FACEIT has been seen sending null in team and roster fields. */
const opt = <T extends z.ZodType>(schema: T) => schema.nullish();

const playerSchema = z.looseObject({
  player_id: z.string(),
  nickname: opt(z.string()),
  /** Substitutes only: true when this bench player is in the match's lineup. */
  playing: opt(z.boolean()),
});

const playersSchema = opt(z.array(playerSchema));
const factionSchema = z.looseObject({
  /** A team GUID, the captain's player id (matchmaking), or `bye` (a championship free pass). */
  faction_id: opt(z.string()),
  name: opt(z.string()),
  leader: opt(z.string()),
  co_leader_id: opt(z.string()),
  roster: playersSchema,
  /** Championship benches; a substitute with `playing: true` plays. */
  substitutes: playersSchema,
});

/**
 * The fields of `GET /matches/{id}` the bridge uses (the rest is kept, loose). Factions are read by
 * key, so the order FACEIT lists them in does not matter.
 */
export const dataApiMatchSchema = z.looseObject({
  match_id: z.string(),
  status: opt(z.string()),
  version: opt(z.number()),
  /** What routing matches guilds' follows against: 'hub' / 'championship' / 'matchmaking', its id, the organizer. */
  competition_type: opt(z.string()),
  competition_id: opt(z.string()),
  organizer_id: opt(z.string()),
  teams: opt(z.looseObject({ faction1: opt(factionSchema), faction2: opt(factionSchema) })),
  started_at: opt(z.number()),
  finished_at: opt(z.number()),
});
export type DataApiMatch = z.infer<typeof dataApiMatchSchema>;

export const dataApiPlayerSchema = z.looseObject({
  player_id: z.string(),
  nickname: z.string(),
  /** `GET /players/{id}`: per game; CS2's ELO and level 1–10. */
  games: opt(
    z.looseObject({
      cs2: opt(z.looseObject({ faceit_elo: opt(z.number()), skill_level: opt(z.number()) })),
    }),
  ),
});
export type DataApiPlayer = z.infer<typeof dataApiPlayerSchema>;

/**
 * A 404 (`err_nf0`): FACEIT does not show this match or player. For a match that is not final proof:
 * new matches have been reported to 404 for a while, so callers decide how long to keep asking.
 */
export class FaceitNotFoundError extends Error {
  constructor(what: string) {
    super(`FACEIT has no ${what} (404 err_nf0)`);
    this.name = 'FaceitNotFoundError';
  }
}

/** Any other non-2xx answer after the retries ran out; `status` tells the operator what to fix (401 = key). */
export class FaceitApiError extends Error {
  readonly status: number;
  constructor(status: number, what: string, detail: string) {
    super(`FACEIT Data API answered ${status} for ${what}${detail ? `: ${detail}` : ''}`);
    this.name = 'FaceitApiError';
    this.status = status;
  }
}

/** `match`: first come, first served among match jobs; `interactive`: commands, behind every match request. */
export type RateLimitLane = 'match' | 'interactive';

/** Per-call bounds on the client's retries (attempts for 429/5xx/network errors) and per-request timeout. */
export interface RequestLimits {
  attempts?: number;
  timeoutMs?: number;
}

export interface FaceitDataApiOptions {
  baseUrl: string;
  apiKey: string;
  limiter: RateLimiter;
  /** Attempts for 429/5xx/network errors before giving up (the job's own retries come on top). */
  attempts?: number;
  timeoutMs?: number;
  /**
   * After each request: `status` 0 is a network error. `lane` is the rate limit's lane it went through,
   * `rateLimitWaitMs` how long the rate limit held it (match lane: how far ahead its slot was, on Redis's
   * clock; interactive lane: its time in line).
   */
  onRequest?: (info: {
    route: string;
    status: number;
    attempt: number;
    lane: RateLimitLane;
    rateLimitWaitMs: number;
  }) => void;
  /**
   * Set: requests go through the limiter's interactive lane (behind every match job's request) and fail
   * with FaceitBusyError when they would wait longer than this for the rate limit. See `interactive()`.
   */
  interactiveBudgetMs?: number;
}

/**
 * FACEIT Data API v4 client: stays under the key's rate limit (shared limiter), retries 429 (honouring
 * Retry-After / ratelimit-reset) and 5xx with exponential backoff, and turns 404 into FaceitNotFoundError.
 */
export class FaceitDataApi {
  readonly opts: FaceitDataApiOptions;
  constructor(opts: FaceitDataApiOptions) {
    this.opts = opts;
  }

  /** `limits`: fewer attempts or a shorter timeout than the client's, for a caller with a deadline. */
  async getMatch(matchId: string, limits?: RequestLimits): Promise<DataApiMatch> {
    const body = await this.#get(
      `/matches/${encodeURIComponent(matchId)}`,
      'matches/{id}',
      `match ${matchId}`,
      limits,
    );
    return dataApiMatchSchema.parse(body);
  }

  /** A player by id, with their games (CS2 level and ELO); FaceitNotFoundError when FACEIT has none. */
  async getPlayer(playerId: string): Promise<DataApiPlayer> {
    const body = await this.#get(
      `/players/${encodeURIComponent(playerId)}`,
      'players/{id}',
      `player ${playerId}`,
    );
    return dataApiPlayerSchema.parse(body);
  }

  /**
   * The same client for interactive callers (slash commands, the level read after a link): their requests
   * take the rate limit only when no match job wants it, and fail with FaceitBusyError when they would
   * wait longer than `budgetMs` (the worker's FACEIT_COMMAND_WAIT_MS).
   */
  interactive(budgetMs: number): FaceitDataApi {
    return new FaceitDataApi({ ...this.opts, interactiveBudgetMs: budgetMs });
  }

  /** How long `requests` more would wait for the key's rate limit now (0 when the limiter cannot tell). */
  async backlogMs(requests: number): Promise<number> {
    return (await this.opts.limiter.backlogMs?.(requests)) ?? 0;
  }

  async findPlayerByNickname(nickname: string): Promise<DataApiPlayer | null> {
    try {
      const body = await this.#get(
        `/players?nickname=${encodeURIComponent(nickname)}`,
        'players',
        `player ${nickname}`,
      );
      return dataApiPlayerSchema.parse(body);
    } catch (err) {
      if (err instanceof FaceitNotFoundError) return null;
      throw err;
    }
  }

  /** The rate limit's lane this client's requests go through. */
  #lane(): RateLimitLane {
    return this.opts.interactiveBudgetMs !== undefined && this.opts.limiter.acquireInteractive
      ? 'interactive'
      : 'match';
  }

  /** A slot of the key's rate limit, in this client's lane; how long it was held (ms). */
  #acquire(): Promise<number> {
    const { limiter, interactiveBudgetMs } = this.opts;
    return interactiveBudgetMs !== undefined && limiter.acquireInteractive
      ? limiter.acquireInteractive(interactiveBudgetMs)
      : limiter.acquire();
  }

  async #get(path: string, route: string, what: string, limits?: RequestLimits): Promise<unknown> {
    const attempts = limits?.attempts ?? this.opts.attempts ?? 5;
    const timeoutMs = limits?.timeoutMs ?? this.opts.timeoutMs ?? 10_000;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const rateLimitWaitMs = await this.#acquire();
      const report = (status: number) =>
        this.opts.onRequest?.({ route, status, attempt, lane: this.#lane(), rateLimitWaitMs });
      let res: Response;
      try {
        res = await fetch(`${this.opts.baseUrl.replace(/\/$/, '')}${path}`, {
          headers: { authorization: `Bearer ${this.opts.apiKey}`, accept: 'application/json' },
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        lastError = err;
        report(0);
        await backoff(attempt);
        continue;
      }
      report(res.status);
      if (res.ok) return res.json();
      const text = await res.text();
      if (res.status === 404) throw new FaceitNotFoundError(what);
      if (res.status === 429 || res.status >= 500) {
        lastError = new FaceitApiError(res.status, what, text.slice(0, 200));
        await backoff(attempt, retryAfterMs(res));
        continue;
      }
      throw new FaceitApiError(res.status, what, text.slice(0, 200));
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }
}

function retryAfterMs(res: Response): number | undefined {
  const retryAfter = Number(res.headers.get('retry-after'));
  if (Number.isFinite(retryAfter) && retryAfter > 0) return retryAfter * 1000;
  const reset = Number(res.headers.get('ratelimit-reset'));
  if (Number.isFinite(reset) && reset > 0) return reset * 1000;
  return undefined;
}

function backoff(attempt: number, hintMs?: number): Promise<void> {
  const ms = hintMs ?? Math.min(200 * 2 ** (attempt - 1), 5000) * (0.8 + Math.random() * 0.4);
  return pause(ms);
}
