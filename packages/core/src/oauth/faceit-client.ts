import * as oauth from 'oauth4webapi';
import { readTokenResponse } from './token-response.ts';
import { type FaceitIdentity, fetchUserinfo, type UserinfoRetry } from './userinfo.ts';

export {
  OAuthConfigError,
  OAuthGrantError,
  OAuthNotSentError,
  OAuthUnavailableError,
} from './errors.ts';
export type { FaceitIdentity, UserinfoRetry } from './userinfo.ts';

export interface FaceitOAuthOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  authUrl: string;
  tokenUrl: string;
  userinfoUrl: string;
  scope: string;
  timeoutMs?: number;
  userinfoRetry?: Partial<UserinfoRetry>;
}

/**
 * FACEIT Connect as a confidential client: PKCE S256 plus HTTP Basic client credentials (FACEIT
 * requires both). The token response is read by hand and only its access_token is used: FACEIT has
 * sent id_tokens that fail OIDC validation (no `exp`, next-auth #3753), and identity comes from
 * userinfo anyway. The access token lives only inside identify(); nothing here stores or logs it.
 */
export class FaceitOAuthClient {
  readonly opts: FaceitOAuthOptions;
  readonly #as: oauth.AuthorizationServer;
  readonly #client: oauth.Client;
  constructor(opts: FaceitOAuthOptions) {
    this.opts = opts;
    // Only the endpoints matter: nothing here validates an id_token, so the issuer is informational.
    this.#as = {
      issuer: opts.tokenUrl.replace(/\/v1\/oauth\/token\/?$/, ''),
      authorization_endpoint: opts.authUrl,
      token_endpoint: opts.tokenUrl,
      userinfo_endpoint: opts.userinfoUrl,
    };
    this.#client = { client_id: opts.clientId };
  }

  authorizeUrl(state: string, codeChallenge: string): string {
    const url = new URL(this.opts.authUrl);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', this.opts.clientId);
    url.searchParams.set('redirect_uri', this.opts.redirectUri);
    // Keep `openid`: FACEIT's userinfo answers insufficient_scope without it.
    url.searchParams.set('scope', this.opts.scope);
    url.searchParams.set('state', state);
    url.searchParams.set('code_challenge', codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
    // Makes FACEIT redirect the tab to redirect_uri instead of acting as a popup.
    url.searchParams.set('redirect_popup', 'true');
    return url.toString();
  }

  /**
   * Presents the code once and returns the access token. Throws OAuthNotSentError only when FACEIT
   * cannot have seen the code (so presenting it again is safe); every other failure is final.
   */
  async exchangeCode(code: string, verifier: string): Promise<string> {
    const insecure = new URL(this.opts.tokenUrl).protocol === 'http:';
    // The callback already checked state (single use, in Redis); here only the code travels.
    const params = oauth.validateAuthResponse(
      this.#as,
      this.#client,
      new URLSearchParams({ code }),
      oauth.expectNoState,
    );
    const send = () =>
      oauth.authorizationCodeGrantRequest(
        this.#as,
        this.#client,
        oauth.ClientSecretBasic(this.opts.clientSecret),
        params,
        this.opts.redirectUri,
        verifier,
        {
          [oauth.allowInsecureRequests]: insecure,
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
        },
      );
    return readTokenResponse(send);
  }

  /** Access token → FACEIT player id (userinfo guid, else sub) and nickname, retrying transient failures. */
  userinfo(accessToken: string): Promise<FaceitIdentity> {
    return fetchUserinfo(this.opts.userinfoUrl, accessToken, {
      timeoutMs: Math.min(this.opts.timeoutMs ?? 5000, 5000),
      ...this.opts.userinfoRetry,
    });
  }

  /** Code + verifier → identity: one code exchange, then userinfo with its own bounded retries. */
  async identify(code: string, verifier: string): Promise<FaceitIdentity> {
    return this.userinfo(await this.exchangeCode(code, verifier));
  }
}

/** The FACEIT OAuth client from the worker's FACEIT_* settings. */
export function faceitOAuthFromConfig(config: {
  FACEIT_CLIENT_ID: string;
  FACEIT_CLIENT_SECRET: string;
  FACEIT_REDIRECT_URI: string;
  FACEIT_AUTH_URL: string;
  FACEIT_TOKEN_URL: string;
  FACEIT_USERINFO_URL: string;
  FACEIT_SCOPE: string;
}): FaceitOAuthClient {
  return new FaceitOAuthClient({
    clientId: config.FACEIT_CLIENT_ID,
    clientSecret: config.FACEIT_CLIENT_SECRET,
    redirectUri: config.FACEIT_REDIRECT_URI,
    authUrl: config.FACEIT_AUTH_URL,
    tokenUrl: config.FACEIT_TOKEN_URL,
    userinfoUrl: config.FACEIT_USERINFO_URL,
    scope: config.FACEIT_SCOPE,
  });
}
