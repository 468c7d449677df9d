import type { DataApiMatch, FaceitView, Logger } from '@bridge/core';
import type { MatchContext } from './match-context.ts';

/**
 * How long a finish waits to hear from FACEIT before acting on the webhook alone. A finish is acted on
 * when FACEIT's Data API agrees the match is over; an outage (5xx, timeouts, no connection, also a 404 or
 * a refused key) must never keep a finished match's channels, so after this long the finish goes ahead.
 * Three attempts of at most 1.5 s each (the client's backoff between them: 0.2 s, 0.4 s) fit in it.
 */
export const FINISH_CONFIRM_BUDGET_MS = 5000;
const CONFIRM_LIMITS = { attempts: 3, timeoutMs: 1500 };

/** The match as FACEIT reports it now, or 'unreadable' after the budget (the request is left to finish). */
export async function readFaceitWithin(
  ctx: MatchContext,
  matchId: string,
  log: Logger,
  budgetMs = FINISH_CONFIRM_BUDGET_MS,
): Promise<{ view: FaceitView; match?: DataApiMatch }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), budgetMs);
  });
  const read = ctx.faceit.getMatch(matchId, CONFIRM_LIMITS).then(
    (match) => ({ match }),
    (err: unknown) => ({ err: err as Error }),
  );
  try {
    const got = await Promise.race([read, late]);
    if (got === 'late') {
      log.warn({ budgetMs }, 'FACEIT did not answer in time: no confirmation');
      return { view: 'unreadable' };
    }
    if ('err' in got) {
      log.warn({ err: got.err.message }, 'FACEIT could not be read: no confirmation');
      return { view: 'unreadable' };
    }
    return { view: { status: got.match.status }, match: got.match };
  } finally {
    clearTimeout(timer);
  }
}
