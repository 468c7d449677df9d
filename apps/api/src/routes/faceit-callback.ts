import { randomBytes } from 'node:crypto';
import {
  DEFAULT_JOB_OPTIONS,
  LINK_JOBS,
  type LinkJobData,
  type LinkResult,
  linkFailureOf,
  linkJobSchema,
  parkLinkTicket,
  takeLinkResult,
  takeOAuthState,
} from '@bridge/core';
import type { Job } from 'bullmq';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, RouteDeps } from '../deps.ts';
import {
  badRequestPage,
  badStatePage,
  deniedPage,
  failedPage,
  linkedPage,
  otherBrowserPage,
  pendingPage,
  unavailablePage,
} from '../pages/link-pages.ts';
import { dropBrowserCookie, linkPageHeaders, sameBrowser } from './link-browser.ts';

export const CALLBACK_PATH = '/faceit/callback';

const querySchema = z.object({
  code: z.string().min(1).max(2048).optional(),
  state: z.string().min(1).max(512).optional(),
  error: z.string().min(1).max(256).optional(),
});

/**
 * FACEIT's OAuth redirect target. Takes the state out of Redis (single use), checks that this is the
 * browser the start page bound to the flow, parks the code for the worker under a random ticket,
 * enqueues `linkAccount` and shows the outcome if it arrives in time.
 */
export function registerFaceitCallback(app: Hono<AppEnv>, deps: RouteDeps): void {
  // Anyone can open this URL: refusals are logged once per kind, then counted (sampled-log.ts).
  const { log, sampledLog } = deps;
  const prefix = deps.config.QUEUE_PREFIX;
  const waitMs = deps.config.LINK_RESULT_WAIT_MS;

  const page = (c: Context<AppEnv>, status: 200 | 202 | 400 | 403 | 503, html: string) => {
    // The URL carries code and state: never cache the page or leak it in a Referer.
    c.header('cache-control', 'no-store');
    return c.html(html, status);
  };

  app.get(CALLBACK_PATH, linkPageHeaders, async (c) => {
    const requestId = c.get('requestId');
    const parsed = querySchema.safeParse(c.req.query());
    if (!parsed.success) {
      sampledLog.warn('oauth callback refused', { requestId, outcome: 'invalid_query' });
      return page(c, 400, badRequestPage());
    }
    const { code, state, error } = parsed.data;
    if (deps.redis.status !== 'ready') {
      log.error({ requestId, outcome: 'unavailable' }, 'oauth callback: redis down');
      return page(c, 503, unavailablePage());
    }
    if (error !== undefined) {
      // Burn the state too, so the same /link button cannot be half-reused.
      if (state) await takeOAuthState(deps.redis, prefix, state);
      sampledLog.info('oauth callback: consent denied', { requestId, outcome: 'denied', error });
      return page(c, 400, deniedPage());
    }
    if (!code || !state) {
      sampledLog.warn('oauth callback refused', { requestId, outcome: 'missing_params' });
      return page(c, 400, badRequestPage());
    }
    const pending = await takeOAuthState(deps.redis, prefix, state);
    if (!pending) {
      sampledLog.warn('oauth callback: unknown, expired or used state', {
        requestId,
        outcome: 'unknown_state',
      });
      return page(c, 400, badStatePage());
    }
    // The state is spent either way: a code that reached the wrong browser must never be used.
    const thisBrowser = sameBrowser(c, state, pending.browser);
    dropBrowserCookie(c, state);
    if (!thisBrowser) {
      sampledLog.warn('oauth callback: not the browser that started the flow', {
        requestId,
        outcome: 'other_browser',
        discordUserId: pending.discordUserId,
      });
      return page(c, 403, otherBrowserPage());
    }

    const ticket = randomBytes(24).toString('base64url');
    let job: Job;
    try {
      await parkLinkTicket(deps.redis, prefix, ticket, {
        discordUserId: pending.discordUserId,
        verifier: pending.verifier,
        code,
      });
      const data: LinkJobData = linkJobSchema.parse({ ticket, discordUserId: pending.discordUserId });
      job = await deps.queues.links.add(LINK_JOBS.link, data, {
        ...DEFAULT_JOB_OPTIONS.links,
        jobId: ticket,
      });
    } catch (err) {
      // Redis out of memory, read-only during a failover …: the state is spent, /link again later.
      log.error({ requestId, outcome: 'unavailable', err }, 'oauth callback: redis write failed');
      return page(c, 503, unavailablePage());
    }
    const ctx = { requestId, jobId: job.id, discordUserId: pending.discordUserId };
    log.info({ ...ctx, outcome: 'enqueued' }, 'oauth callback: link job enqueued');

    try {
      const returned: unknown = await job.waitUntilFinished(deps.linkEvents, waitMs);
      const result =
        (await takeLinkResult(deps.redis, prefix, ticket).catch(() => null)) ?? olderWorker(returned);
      return page(c, 200, linkedPage(result));
    } catch {
      return failedOrPending(job, c);
    }
  });

  // A worker of the version before returned the pairing itself (during a rolling upgrade).
  function olderWorker(returned: unknown): LinkResult | null {
    const r = returned as {
      discordUsername?: unknown;
      faceitNickname?: unknown;
      previousDiscordUserId?: unknown;
    };
    if (typeof r?.discordUsername !== 'string' || typeof r.faceitNickname !== 'string') return null;
    return {
      discordUsername: r.discordUsername,
      faceitNickname: r.faceitNickname,
      tookOver: Boolean(r.previousDiscordUserId),
    };
  }

  // waitUntilFinished rejects both on failure and on timeout: the job's own state tells them apart.
  async function failedOrPending(job: Job, c: Context<AppEnv>) {
    const state = await job.getState().catch(() => 'unknown');
    if (state !== 'failed') return page(c, 202, pendingPage());
    const fresh = await deps.queues.links.getJob(job.id ?? '');
    return page(c, 400, failedPage(linkFailureOf(fresh?.failedReason)));
  }
}
