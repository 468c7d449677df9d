import type { Context, MiddlewareHandler } from 'hono';

const SAFE_METHOD = /^(GET|HEAD|OPTIONS)$/;
const JSON_TYPE = /^application\/json\s*(;|$)/i;

/** The origin this request was addressed to, as a browser names it (https when a proxy says so). */
export function ownOrigin(c: Context): string {
  const url = new URL(c.req.url);
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  const proto = forwarded === 'https' || forwarded === 'http' ? forwarded : url.protocol.slice(0, -1);
  return `${proto}://${c.req.header('host') ?? url.host}`;
}

/**
 * Refuses (403) a state-changing request unless the browser says it came from this origin —
 * `Sec-Fetch-Site: same-origin`, or an `Origin` equal to our own (browsers that send no Sec-Fetch-*
 * headers, e.g. Chromium over plain http to a non-local host, still send Origin on these methods) —
 * and unless its body, if any, is declared `application/json`.
 *
 * Why not hono/csrf: it lets every `application/json` request through unchecked (trusting the CORS
 * preflight) and checks only form-like content types; here every state change must prove its origin.
 * Body-less requests stay allowed: Bull Board's own buttons (retry, pause, clean …) send PUTs with no
 * body and no Content-Type. A cross-site form always sends a form or text/plain Content-Type.
 */
export function sameOriginWrites(): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE_METHOD.test(c.req.method)) return next();
    const site = c.req.header('sec-fetch-site');
    const origin = c.req.header('origin');
    const sameOrigin = site === 'same-origin' || (origin !== undefined && origin === ownOrigin(c));
    const type = c.req.header('content-type');
    const length = c.req.header('content-length');
    const hasBody =
      c.req.header('transfer-encoding') !== undefined || (length !== undefined && length !== '0');
    const typeOk = type === undefined ? !hasBody : JSON_TYPE.test(type);
    if (sameOrigin && typeOk) return next();
    return c.json(
      {
        error: 'forbidden',
        message: sameOrigin
          ? 'a request body must be application/json'
          : 'state-changing requests must come from this origin',
      },
      403,
    );
  };
}
