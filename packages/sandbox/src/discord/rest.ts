/** The REST pipeline for /api/v10: route → latency → auth → faults → rate limits → handler → stats. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FixedWindows } from '../shared/fixed-window.ts';
import { readBody, sendJson, sleep } from '../shared/http.ts';
import type { Clock } from './clock.ts';
import type { DailyCap } from './daily-cap.ts';
import { ApiError, Errors } from './errors.ts';
import type { FaultSpec, Faults } from './faults.ts';
import { bucketHash, type RateLimiter, retryAfterHeader, sublimitHeaders } from './ratelimit.ts';
import type { MatchedRoute, RouteCtx, Router } from './router.ts';
import { bump, type DiscordStats } from './stats.ts';

/** Larger than any JSON body the bridge sends (Discord's own limit is for attachments). */
export const MAX_BODY = 8 * 1024 * 1024;

export interface RestDeps {
  router: Router;
  faults: Faults;
  limiter: RateLimiter;
  stats: () => DiscordStats;
  /** the current token (Discord resets it when the identify budget runs out) */
  botToken: () => string;
  clock: Clock;
  /** channel creations per guild per day */
  createCap: DailyCap;
  /** everything a handler needs except params/query/body */
  context: () => Omit<RouteCtx, 'params' | 'query' | 'body'>;
  /** channel renames per channel (2 per 10 min) */
  renames: FixedWindows;
  /** requests held open by 'hang' faults, ended on close() */
  hanging: Set<ServerResponse>;
}

const CREATE_CHANNEL = 'POST /guilds/:guild/channels';
const MODIFY_CHANNEL = 'PATCH /channels/:channel';
/** Discord lets a channel be renamed twice per 10 minutes; the third gets a long sublimit-shaped 429. */
export const RENAMES = { limit: 2, windowMs: 10 * 60_000 } as const;

const STATUS_TEXT: Record<number, string> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export async function handleRest(
  deps: RestDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string[],
  query: URLSearchParams,
): Promise<void> {
  const stats = deps.stats();
  const method = (req.method ?? 'GET').toUpperCase();
  stats.requests++;
  const bodyText = await readBody(req, MAX_BODY).catch(() => '');
  const matched = deps.router.match(method, path);
  if (matched === null || matched === 'method') {
    bump(stats.byRoute, 'unknown');
    const err = matched === null ? Errors.notFound() : Errors.methodNotAllowed();
    finish(stats, res, err.status, err.toJSON(), {}, 'unknown');
    return;
  }
  bump(stats.byRoute, matched.key);

  const delay = deps.faults.latency(method, matched.template, path);
  if (delay > 0) await sleep(delay);
  await deps.faults.held(method, matched.template, path);

  if (matched.def.auth !== false && req.headers.authorization !== `Bot ${deps.botToken()}`) {
    const err = Errors.unauthorized();
    finish(stats, res, err.status, err.toJSON(), {}, matched.key);
    return;
  }

  const fault = deps.faults.take(method, matched.template, path);
  if (fault) {
    stats.faultsInjected++;
    injectFault(deps, stats, res, fault, matched);
    return;
  }

  const decision = deps.limiter.take(matched.key, matched.major, matched.def.globalLimit !== false);
  if (!decision.ok) {
    const body = {
      message: 'You are being rate limited.',
      retry_after: decision.retryAfter,
      global: decision.global,
    };
    finish(stats, res, 429, body, decision.headers, matched.key);
    return;
  }

  const creating = matched.key === CREATE_CHANNEL;
  const guildId = matched.params.guild ?? '';
  if (creating) {
    const wait = deps.createCap.wait(guildId, deps.clock.now());
    if (wait > 0) {
      // Reported shape of the daily cap: a 429 with a long retry, not a bucket running out.
      const body = { message: 'You are being rate limited.', retry_after: wait / 1000, global: false };
      finish(stats, res, 429, body, sublimitHeaders(matched.key, wait, Date.now()), matched.key);
      return;
    }
  }

  let body: unknown;
  if (bodyText.length > 0) {
    try {
      body = JSON.parse(bodyText);
    } catch {
      const err = Errors.invalidJson();
      finish(stats, res, err.status, err.toJSON(), decision.headers, matched.key);
      return;
    }
  }
  if (matched.key === MODIFY_CHANNEL && isRename(deps, matched.params.channel ?? '', body)) {
    const now = deps.clock.now();
    const w = deps.renames.take(matched.params.channel ?? '', RENAMES.limit, RENAMES.windowMs, now);
    if (!w.allowed) {
      const wait = w.resetAt - now;
      const limited = { message: 'You are being rate limited.', retry_after: wait / 1000, global: false };
      finish(stats, res, 429, limited, sublimitHeaders(matched.key, wait, Date.now()), matched.key);
      return;
    }
  }
  try {
    const reply = matched.def.handler({ ...deps.context(), params: matched.params, query, body });
    if (creating && reply.status < 300) deps.createCap.count(guildId, deps.clock.now());
    finish(stats, res, reply.status, reply.body, decision.headers, matched.key);
  } catch (err) {
    if (err instanceof ApiError) {
      finish(stats, res, err.status, err.toJSON(), decision.headers, matched.key);
    } else {
      const message = err instanceof Error ? err.message : String(err);
      finish(
        stats,
        res,
        500,
        { message: `500: Internal Server Error (${message})`, code: 0 },
        {},
        matched.key,
      );
    }
  }
}

/** A PATCH that changes the channel's name (the same name again is no rename). */
function isRename(deps: RestDeps, channelId: string, body: unknown): boolean {
  const name = (body as { name?: unknown } | undefined)?.name;
  const current = deps.context().store.channels.get(channelId)?.name;
  return typeof name === 'string' && current !== undefined && name !== current;
}

function injectFault(
  deps: RestDeps,
  stats: DiscordStats,
  res: ServerResponse,
  fault: FaultSpec,
  matched: MatchedRoute,
): void {
  if (fault.kind === 'hang') {
    deps.hanging.add(res);
    res.on('close', () => deps.hanging.delete(res));
    return;
  }
  if (fault.kind === 'sublimit') {
    const retryAfter = fault.retryAfter ?? 60;
    const body = { message: 'You are being rate limited.', retry_after: retryAfter, global: false };
    finish(stats, res, 429, body, sublimitHeaders(matched.key, retryAfter * 1000, Date.now()), matched.key);
    return;
  }
  if (fault.kind === 'ratelimit') {
    const retryAfter = fault.retryAfter ?? 1;
    const seconds = retryAfter.toFixed(3);
    const header = retryAfterHeader(retryAfter * 1000);
    const headers: Record<string, string> = fault.global
      ? { 'Retry-After': header, 'X-RateLimit-Global': 'true', 'X-RateLimit-Scope': 'global' }
      : {
          'Retry-After': header,
          'X-RateLimit-Limit': '1',
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset': ((Date.now() + retryAfter * 1000) / 1000).toFixed(3),
          'X-RateLimit-Reset-After': seconds,
          'X-RateLimit-Bucket': bucketHash(matched.key),
          'X-RateLimit-Scope': 'user',
        };
    const body = {
      message: 'You are being rate limited.',
      retry_after: retryAfter,
      global: fault.global === true,
    };
    finish(stats, res, 429, body, headers, matched.key);
    return;
  }
  const status = fault.status ?? 500;
  const body = fault.body ?? { message: `${status}: ${STATUS_TEXT[status] ?? 'Error'}`, code: 0 };
  finish(stats, res, status, body, {}, matched.key);
}

function finish(
  stats: DiscordStats,
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string>,
  routeKey: string,
): void {
  bump(stats.byStatus, String(status));
  if (status === 429) {
    stats.rateLimited++;
    bump(stats.rateLimitedByRoute, routeKey);
  } else if (status >= 400) {
    stats.errors++;
    const code = (body as { code?: unknown } | undefined)?.code;
    if (typeof code === 'number') bump(stats.errorsByCode, String(code));
  }
  sendJson(res, status, body, headers);
}
