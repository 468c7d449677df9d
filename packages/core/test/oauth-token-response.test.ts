import { describe, expect, it } from 'vitest';
import { classifyTokenResponse } from '../src/oauth/token-response.ts';

const json = (v: unknown) => JSON.stringify(v);
const idTokenWithoutExp = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2FwaS5mYWNlaXQuY29tL2F1dGgifQ.sig';

describe('classifyTokenResponse', () => {
  it.each([
    [
      '200 with an id_token that has no exp',
      200,
      json({ access_token: 'at', token_type: 'bearer', id_token: idTokenWithoutExp }),
      { kind: 'ok', accessToken: 'at' },
    ],
    [
      '200 without an id_token',
      200,
      json({ access_token: 'at', token_type: 'Bearer' }),
      { kind: 'ok', accessToken: 'at' },
    ],
    ['200 without access_token', 200, json({ token_type: 'bearer' }), { kind: 'failed' }],
    ['200 not JSON', 200, '<html></html>', { kind: 'failed' }],
    [
      '401 invalid_client',
      401,
      json({ error: 'invalid_client' }),
      { kind: 'config', code: 'invalid_client', settings: ['FACEIT_CLIENT_ID', 'FACEIT_CLIENT_SECRET'] },
    ],
    ['401 HTML', 401, '<h1>Unauthorized</h1>', { kind: 'config', code: 'http_401' }],
    ['401 empty', 401, '', { kind: 'config', code: 'http_401' }],
    [
      '400 invalid_client',
      400,
      json({ error: 'invalid_client' }),
      { kind: 'config', code: 'invalid_client' },
    ],
    [
      '400 unauthorized_client',
      400,
      json({ error: 'unauthorized_client' }),
      { kind: 'config', code: 'unauthorized_client' },
    ],
    [
      '400 invalid_scope',
      400,
      json({ error: 'invalid_scope' }),
      { kind: 'config', settings: ['FACEIT_SCOPE'] },
    ],
    ['400 invalid_grant', 400, json({ error: 'invalid_grant' }), { kind: 'refused', code: 'invalid_grant' }],
    ['429', 429, json({ error: 'too_many_requests' }), { kind: 'not-sent' }],
    [
      '503',
      503,
      json({ error: 'server_error' }),
      { kind: 'failed', reason: 'token endpoint answered 503 server_error' },
    ],
    ['502 HTML', 502, '<html>Bad gateway</html>', { kind: 'failed', reason: 'token endpoint answered 502' }],
    ['400 HTML', 400, '<html>Bad request</html>', { kind: 'failed' }],
  ] as const)('%s', (_what, status, body, expected) => {
    expect(classifyTokenResponse(status, body)).toMatchObject(expected);
  });
});
