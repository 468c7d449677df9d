import { browserBinding, putOAuthState, takeLinkStart } from '@bridge/core';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, RouteDeps } from '../deps.ts';
import { badRequestPage, startPage, startUsedPage, unavailablePage } from '../pages/link-pages.ts';
import { freshBrowserCookie, linkPageHeaders, setBrowserCookie } from './link-browser.ts';

export const LINK_START_PATH = '/faceit/link/start';

const querySchema = z.object({ t: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });

/**
 * Where the /link button leads. Takes the one-time start token, binds this browser to the flow with a
 * cookie, and shows which Discord account is being linked before the way on to FACEIT. A copied
 * button opened a second time finds nothing; FACEIT's URL alone is refused at the callback.
 */
export function registerLinkStart(app: Hono<AppEnv>, deps: RouteDeps): void {
  // Anyone can open these URLs: refusals are logged once per kind, then counted (sampled-log.ts).
  const { log, sampledLog } = deps;
  const prefix = deps.config.QUEUE_PREFIX;
  const page = (c: Context<AppEnv>, status: 200 | 400 | 503, html: string) => {
    c.header('cache-control', 'no-store');
    return c.html(html, status);
  };

  app.get(LINK_START_PATH, linkPageHeaders, async (c) => {
    const requestId = c.get('requestId');
    const parsed = querySchema.safeParse(c.req.query());
    if (!parsed.success) {
      sampledLog.warn('link start refused', { requestId, outcome: 'invalid_query' });
      return page(c, 400, badRequestPage());
    }
    if (deps.redis.status !== 'ready') {
      log.error({ requestId, outcome: 'unavailable' }, 'link start: redis down');
      return page(c, 503, unavailablePage());
    }
    const start = await takeLinkStart(deps.redis, prefix, parsed.data.t);
    if (!start) {
      sampledLog.warn('link start: unknown, expired or used button', { requestId, outcome: 'unknown_start' });
      return page(c, 400, startUsedPage());
    }
    const cookie = freshBrowserCookie();
    try {
      await putOAuthState(deps.redis, prefix, start.state, {
        discordUserId: start.discordUserId,
        verifier: start.verifier,
        browser: browserBinding(cookie),
      });
    } catch (err) {
      // Redis out of memory, read-only during a failover …: the person runs /link again later.
      log.error({ requestId, outcome: 'unavailable', err }, 'link start: redis write failed');
      return page(c, 503, unavailablePage());
    }
    setBrowserCookie(c, start.state, cookie);
    log.info(
      { requestId, outcome: 'started', discordUserId: start.discordUserId },
      'link start: browser bound',
    );
    return page(c, 200, startPage(start.discordUsername, start.authorizeUrl));
  });
}
