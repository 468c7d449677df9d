import {
  eventDetailsOf,
  eventLabel,
  IntakeFullError,
  jobNameForEvent,
  type MatchJobData,
  matchJobId,
  parseWebhook,
} from '@bridge/core';
import type { Context, Hono } from 'hono';
import type { AppEnv, RouteDeps } from '../deps.ts';
import { secretMatcher } from '../lib/constant-time.ts';
import { BodyTooLargeError, readBodyLimited } from '../lib/read-body.ts';

export const WEBHOOK_PATH = '/faceit-webhook';
/**
 * Real deliveries are a few KB (fixtures/faceit-samples: 4–6 KB with both rosters); the limit stays far
 * above that so a delivery FACEIT sends is never refused (it would be redelivered forever). What a body
 * may put into Redis and the logs is bounded by the envelope's field limits, not by this.
 */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;
/** What a 503 asks FACEIT to wait before redelivering (it may not honour it; redeliveries are harmless). */
const RETRY_AFTER_SEC = '30';

/**
 * FACEIT webhook intake. Cheap checks first (secret, size, JSON, envelope), then one append to the
 * intake stream (the workers turn it into a job with a deterministic id), then 202. It never does the
 * work itself: FACEIT retries slow answers.
 */
export function registerWebhook(app: Hono<AppEnv>, deps: RouteDeps): void {
  const { log, sampledLog } = deps;
  const header = deps.config.FACEIT_WEBHOOK_HEADER;
  const queryParam = deps.config.FACEIT_WEBHOOK_QUERY_PARAM;
  const isSecret = secretMatcher(deps.config.FACEIT_WEBHOOK_SECRET);
  const where = queryParam ? `${header} header or ${queryParam} query parameter` : `${header} header`;
  const count = (event: string, outcome: string) => deps.metrics.webhooks.inc({ event, outcome });

  const fail = (
    c: Context<AppEnv>,
    status: 400 | 401 | 413 | 503,
    error: string,
    message: string,
    extra = {},
  ) => c.json({ error, message, ...extra }, status);

  app.post(WEBHOOK_PATH, async (c) => {
    const requestId = c.get('requestId');
    // FACEIT's subscription has a header slot and a query-parameter slot for the secret: either will do.
    // Each is compared in constant time; the URL (which may hold the secret) is never logged.
    // An empty value counts as not sent.
    const inHeader = c.req.header(header) || undefined;
    const inQuery = (queryParam && c.req.query(queryParam)) || undefined;
    const headerOk = inHeader !== undefined && isSecret(inHeader);
    const queryOk = inQuery !== undefined && isSecret(inQuery);
    if (!headerOk && !queryOk) {
      // Names only, never values: "FACEIT sends no secret" and "wrong secret" look different here.
      // Anyone can send these, so each kind is logged once and then counted (sampled-log.ts).
      const present = [
        ...(inHeader !== undefined ? [`header:${header}`] : []),
        ...(inQuery !== undefined ? [`query:${queryParam}`] : []),
      ];
      sampledLog.warn(
        present.length === 0 ? 'webhook refused: no secret sent' : 'webhook refused: wrong secret',
        { requestId, outcome: 'unauthorized', secretIn: present, accepted: where },
      );
      count('unknown', 'unauthorized');
      // The body is never read: close the connection rather than let Node drain it. The answer does not
      // say where the secret goes (the operator's log line does).
      c.header('connection', 'close');
      return fail(c, 401, 'unauthorized', 'missing or wrong secret');
    }
    let text: string;
    try {
      text = await readBodyLimited(c, WEBHOOK_BODY_LIMIT);
    } catch (err) {
      if (!(err instanceof BodyTooLargeError)) throw err;
      // The rest of the body is never read: close the connection so the client cannot reuse it mid-body.
      c.header('connection', 'close');
      count('unknown', 'too_large');
      return fail(c, 413, 'payload_too_large', err.message);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      count('unknown', 'invalid');
      return fail(c, 400, 'invalid_json', 'body is not valid JSON');
    }
    const parsed = parseWebhook(body);
    if (parsed.kind === 'invalid') {
      const first = parsed.issues[0];
      log.warn({ requestId, outcome: 'invalid', issues: parsed.issues }, 'webhook envelope invalid');
      count('unknown', 'invalid');
      return fail(c, 400, 'invalid_envelope', `${first?.path}: ${first?.message}`, {
        issues: parsed.issues,
      });
    }
    const { envelope } = parsed;
    const eventId = envelope.event_id;
    if (parsed.kind === 'ignored') {
      // The name is at most 64 characters (the envelope's bound); the metric counts every such name as one.
      log.info(
        { requestId, event: envelope.event, eventId, outcome: 'ignored' },
        'webhook event not acted on',
      );
      count(eventLabel(envelope.event), 'ignored');
      return c.json({ status: 'ignored', event: envelope.event }, 202);
    }

    const matchId = parsed.payload.id;
    const jobName = jobNameForEvent(parsed.event);
    const jobId = matchJobId(matchId, parsed.event, parsed.payload.version);
    // Every field comes from the envelope parseWebhook just validated; the worker checks it again.
    const data: MatchJobData = {
      matchId,
      event: parsed.event,
      eventId,
      transactionId: envelope.transaction_id,
      retryCount: envelope.retry_count,
      payloadVersion: parsed.payload.version ?? null,
      occurredAt: envelope.timestamp,
      receivedAt: new Date().toISOString(),
      ...withDetails(eventDetailsOf(parsed.event, parsed.payload)),
    };
    const ctx = {
      requestId,
      matchId,
      event: parsed.event,
      eventId,
      jobId,
      retryCount: envelope.retry_count,
    };

    // Without a live connection the intake append would fail anyway; answer 503 now rather than after a timeout.
    if (deps.redis.status !== 'ready') {
      log.error(
        { ...ctx, outcome: 'unavailable', redis: deps.redis.status },
        'webhook not enqueued: redis down',
      );
      count(parsed.event, 'unavailable');
      return fail(c, 503, 'unavailable', 'queue unavailable, retry later');
    }
    try {
      // Bounded by the intake's own timeout (750 ms), so a hung Redis is a 503, not a hung request.
      await deps.intake.push(data);
    } catch (err) {
      c.header('retry-after', RETRY_AFTER_SEC);
      if (err instanceof IntakeFullError) {
        // Nothing was stored: FACEIT's redelivery is the only copy, so say 503 and let it come back.
        sampledLog.warn('webhook not enqueued: intake backlog full, no worker is relaying', {
          ...ctx,
          outcome: 'backlog_full',
          limit: err.limit,
        });
        count(parsed.event, 'backlog_full');
        return fail(c, 503, 'backlog_full', 'too many events waiting for a worker, retry later');
      }
      // The add may still land later; the deterministic job id makes FACEIT's retry harmless.
      log.error({ ...ctx, outcome: 'unavailable', err: (err as Error).message }, 'webhook not enqueued');
      count(parsed.event, 'unavailable');
      return fail(c, 503, 'unavailable', 'queue unavailable, retry later');
    }
    log.info({ ...ctx, job: jobName, outcome: 'accepted' }, 'webhook accepted');
    count(parsed.event, 'accepted');
    return c.json({ status: 'accepted', jobId }, 202);
  });
}

/** The payload's details (a cancel's reason, a forfeit's start, a demo), when it has any. */
const withDetails = (details: MatchJobData['details']) => (details ? { details } : {});
