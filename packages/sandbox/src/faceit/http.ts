// Small HTTP helpers shared by the route modules.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readBody as readBoundedBody, sendJson as sendSharedJson } from '../shared/http.ts';

const MAX_BODY = 1 << 20;

export { HttpError };

/** The request body as text, at most 1 MiB. */
export function readBody(req: IncomingMessage): Promise<string> {
  return readBoundedBody(req, MAX_BODY);
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}

export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams(await readBody(req));
}

/** FACEIT's JSON replies carry `charset=utf-8`. */
export const sendJson: typeof sendSharedJson = (res, status, body, headers = {}) =>
  sendSharedJson(res, status, body, { 'content-type': 'application/json; charset=utf-8', ...headers });

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
  });
  res.end(html);
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, 'content-length': 0, 'cache-control': 'no-store' });
  res.end();
}

/** The token of an `Authorization: Bearer <token>` header, if any. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/** The Data API error envelope: `{"errors":[{message, code, http_status, parameters}]}`. */
export function dataError(status: number, code: string, message: string) {
  return { errors: [{ message, code, http_status: status, parameters: [] as string[] }] };
}
