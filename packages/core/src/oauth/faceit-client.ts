import * as oauth from 'oauth4webapi';

export interface FaceitOAuthOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  authUrl: string;
  tokenUrl: string;
  userinfoUrl: string;
  scope: string;
  timeoutMs?: number;
}

export interface FaceitIdentity {
  faceitId: string;
  nickname: string;
}

/** The token endpoint said no for good (`invalid_grant`, `invalid_client`, …): retrying cannot help. */
export class OAuthGrantError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'OAuthGrantError';
    this.code = code;
  }
}

/**
 * FACEIT Connect as a confidential client: PKCE S256 plus HTTP Basic client credentials (FACEIT
 * requires both). The access token lives only inside identify(); nothing here stores or logs it.
 */
export class FaceitOAuthClient {
  readonly opts: FaceitOAuthOptions;
  readonly #as: oauth.AuthorizationServer;
  readonly #client: oauth.Client;
  constructor(opts: FaceitOAuthOptions) {
    this.opts = opts;
    // FACEIT has no .well-known discovery; the id_token's iss is the token URL's ".../auth" root.
    const issuer = opts.tokenUrl.replace(/\/v1\/oauth\/token\/?$/, '');
    this.#as = {
      issuer,
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
    url.searchParams.set('scope', this.opts.scope);
    url.searchParams.set('state', state);
    url.searchParams.set('code_challenge', codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
    // Makes FACEIT redirect the tab to redirect_uri instead of acting as a popup.
    url.searchParams.set('redirect_popup', 'true');
    return url.toString();
  }

  /** Code + verifier → FACEIT player id (userinfo guid, else sub) and nickname. */
  async identify(code: string, verifier: string): Promise<FaceitIdentity> {
    const insecure = new URL(this.opts.tokenUrl).protocol === 'http:';
    const options = {
      [oauth.allowInsecureRequests]: insecure,
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
    };
    // The callback already checked state (single use, in Redis); here only the code travels.
    const params = oauth.validateAuthResponse(
      this.#as,
      this.#client,
      new URLSearchParams({ code }),
      oauth.expectNoState,
    );
    let accessToken: string;
    try {
      const res = await oauth.authorizationCodeGrantRequest(
        this.#as,
        this.#client,
        oauth.ClientSecretBasic(this.opts.clientSecret),
        params,
        this.opts.redirectUri,
        verifier,
        options,
      );
      accessToken = (await oauth.processAuthorizationCodeResponse(this.#as, this.#client, res)).access_token;
    } catch (err) {
      if (err instanceof oauth.ResponseBodyError && err.status >= 400 && err.status < 500) {
        throw new OAuthGrantError(err.error, `token endpoint refused: ${err.error}`);
      }
      throw err;
    }
    // Userinfo read by hand: FACEIT's carries guid and may lack sub, which oauth4webapi would require.
    const res = await fetch(this.opts.userinfoUrl, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
    });
    if (!res.ok) throw new Error(`userinfo answered ${res.status}`);
    const info = (await res.json()) as Record<string, unknown>;
    const faceitId = typeof info.guid === 'string' ? info.guid : info.sub;
    if (typeof faceitId !== 'string' || faceitId === '' || typeof info.nickname !== 'string') {
      throw new OAuthGrantError('invalid_userinfo', 'userinfo has no guid/sub or nickname');
    }
    return { faceitId, nickname: info.nickname };
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
