// A forced error on an OAuth route, in the shapes a client may meet: an OAuth JSON error (optionally
// with WWW-Authenticate, as RFC 6749 §5.2 allows for a 401 invalid_client) or a non-JSON gateway page.
import type { ServerResponse } from 'node:http';
import { sendJson } from './http.ts';
import type { Fault } from './types.ts';

export function renderOAuthFault(fault: Fault, res: ServerResponse): void {
  const status = fault.status ?? 500;
  const headers: Record<string, string> = {};
  if (fault.wwwAuthenticate) headers['www-authenticate'] = fault.wwwAuthenticate;
  if (fault.html !== undefined) {
    res.writeHead(status, { ...headers, 'content-type': 'text/html; charset=utf-8' });
    res.end(fault.html);
    return;
  }
  const error = fault.error ?? (status >= 500 ? 'server_error' : 'invalid_request');
  sendJson(res, status, { error, error_description: 'Injected fault' }, headers);
}
