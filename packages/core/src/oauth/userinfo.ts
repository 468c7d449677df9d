import { pause } from '../pause.ts';
import { OAuthConfigError, OAuthGrantError, OAuthUnavailableError } from './errors.ts';

export interface FaceitIdentity {
  faceitId: string;
  nickname: string;
}

export interface UserinfoRetry {
  /** Per request. */
  timeoutMs: number;
  /** Waits before the 2nd, 3rd, … request; its length bounds the retries. */
  delaysMs: readonly number[];
}

const DEFAULT_DELAYS = [500, 2000] as const;

class Transient extends Error {}

async function once(url: string, accessToken: string, timeoutMs: number): Promise<FaceitIdentity> {
  let res: Response;
  try {
    // Read by hand: FACEIT's userinfo carries guid and may lack sub, which oauth4webapi would require.
    res = await fetch(url, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new Transient(
      (err as Error).name === 'TimeoutError' ? 'userinfo timed out' : 'userinfo unreachable',
    );
  }
  const text = await res.text().catch(() => '');
  if (res.status === 429 || res.status >= 500) throw new Transient(`userinfo answered ${res.status}`);
  if (res.status === 401 || res.status === 403) {
    const challenge = res.headers.get('www-authenticate') ?? '';
    if (/insufficient_scope/.test(challenge) || /"insufficient_scope"/.test(text)) {
      throw new OAuthConfigError(
        'insufficient_scope',
        ['FACEIT_SCOPE'],
        'FACEIT userinfo answered insufficient_scope: FACEIT_SCOPE must include openid',
      );
    }
    throw new OAuthGrantError('invalid_token', `userinfo refused the access token (${res.status})`);
  }
  let info: Record<string, unknown> | undefined;
  try {
    info = res.ok ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    throw new Transient(`userinfo answered ${res.status} without JSON`);
  }
  if (!info) throw new OAuthUnavailableError(`userinfo answered ${res.status}`);
  const faceitId = typeof info.guid === 'string' ? info.guid : info.sub;
  if (typeof faceitId !== 'string' || faceitId === '' || typeof info.nickname !== 'string') {
    throw new OAuthGrantError('invalid_userinfo', 'userinfo has no guid/sub or nickname');
  }
  return { faceitId, nickname: info.nickname };
}

/**
 * Userinfo with the access token, retried on timeouts, network errors, 429 and 5xx: by then the code
 * is spent, so this token is the only way to finish the sign-in. Gives up with OAuthUnavailableError.
 */
export async function fetchUserinfo(
  url: string,
  accessToken: string,
  retry: Partial<UserinfoRetry> = {},
): Promise<FaceitIdentity> {
  const delays = retry.delaysMs ?? DEFAULT_DELAYS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await once(url, accessToken, retry.timeoutMs ?? 5000);
    } catch (err) {
      if (!(err instanceof Transient)) throw err;
      const delay = delays[attempt];
      if (delay === undefined) {
        throw new OAuthUnavailableError(`${err.message} (${attempt + 1} attempts)`);
      }
      await pause(delay);
    }
  }
}
