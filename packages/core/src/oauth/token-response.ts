import { OAuthConfigError, OAuthGrantError, OAuthNotSentError, OAuthUnavailableError } from './errors.ts';

const CLIENT_SETTINGS = ['FACEIT_CLIENT_ID', 'FACEIT_CLIENT_SECRET'] as const;

/** Errors of fetch() that happen before a request is written: FACEIT cannot have seen the code. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

export type TokenVerdict =
  | { kind: 'ok'; accessToken: string }
  | { kind: 'config'; code: string; settings: readonly string[] }
  | { kind: 'refused'; code: string }
  | { kind: 'not-sent'; reason: string }
  | { kind: 'failed'; reason: string };

/**
 * What a token endpoint answer means, from its status and raw body. Pure: the table test covers it.
 * Only `access_token` is taken; an id_token, whatever its claims, is ignored.
 */
export function classifyTokenResponse(status: number, bodyText: string): TokenVerdict {
  let body: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      body = parsed as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  const error = typeof body?.error === 'string' ? body.error : undefined;
  if (status >= 200 && status < 300) {
    const token = body?.access_token;
    if (typeof token === 'string' && token !== '') return { kind: 'ok', accessToken: token };
    return { kind: 'failed', reason: `token response ${status} without an access_token` };
  }
  // A 401 from the token endpoint is client authentication, whatever its body or headers look like.
  if (status === 401 || error === 'invalid_client' || error === 'unauthorized_client') {
    return { kind: 'config', code: error ?? `http_${status}`, settings: CLIENT_SETTINGS };
  }
  if (error === 'invalid_scope') return { kind: 'config', code: error, settings: ['FACEIT_SCOPE'] };
  // Rate limited at FACEIT's gateway, before the code is looked at.
  if (status === 429) return { kind: 'not-sent', reason: 'token endpoint answered 429' };
  if (status >= 400 && status < 500 && error) return { kind: 'refused', code: error };
  return { kind: 'failed', reason: `token endpoint answered ${status}${error ? ` ${error}` : ''}` };
}

function causeCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/** Sends the token request once and turns its outcome into an access token or a typed error. */
export async function readTokenResponse(send: () => Promise<Response>): Promise<string> {
  let res: Response;
  try {
    res = await send();
  } catch (err) {
    const code = causeCode(err);
    if (code && NOT_SENT_CODES.has(code)) throw new OAuthNotSentError(`token endpoint unreachable: ${code}`);
    const name = (err as Error).name;
    throw new OAuthUnavailableError(
      name === 'TimeoutError'
        ? 'token endpoint timed out'
        : `token request failed: ${code ?? (err as Error).message}`,
    );
  }
  const text = await res.text().catch(() => '');
  const verdict = classifyTokenResponse(res.status, text);
  switch (verdict.kind) {
    case 'ok':
      return verdict.accessToken;
    case 'config':
      throw new OAuthConfigError(
        verdict.code,
        verdict.settings,
        `FACEIT's token endpoint rejected the bridge's OAuth client (${res.status} ${verdict.code}): check ${verdict.settings.join(' and ')}`,
      );
    case 'refused':
      throw new OAuthGrantError(verdict.code, `token endpoint refused: ${verdict.code}`);
    case 'not-sent':
      throw new OAuthNotSentError(verdict.reason);
    case 'failed':
      throw new OAuthUnavailableError(verdict.reason);
  }
}
