// FACEIT Connect (OAuth2 authorization code + PKCE S256 + HTTP Basic client auth): the protocol logic,
// independent of HTTP so the authorize page and the non-interactive authorize() share it.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { JwtSigner } from './jwt.ts';
import type { FaceitState } from './state.ts';
import { type AuthorizeInput, ID_TOKEN_MODES, type IdTokenMode, type Player } from './types.ts';

export const DEFAULT_SCOPE = 'openid profile email membership';

export { ID_TOKEN_MODES, type IdTokenMode } from './types.ts';

const VERIFIER_RE = /^[A-Za-z0-9\-._~]{43,128}$/;

export interface OAuthConfig {
  clientId: string;
  clientSecret: string;
  redirectUris: Set<string>;
  codeTtlMs: number;
  tokenTtlSec: number;
  issuer: () => string;
  userinfoSub: boolean;
  idToken: IdTokenMode;
}

export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  state?: string;
  scope: string;
  codeChallenge: string;
  codeChallengeMethod: 'S256';
}

export type AuthorizeCheck =
  | { kind: 'ok'; request: AuthorizeRequest }
  /** The request is bad but the redirect URI is trusted: send the error there. */
  | { kind: 'redirect'; location: string }
  /** Unknown client or unregistered redirect URI: show an error page, never redirect. */
  | { kind: 'page'; message: string };

interface CodeGrant {
  request: AuthorizeRequest;
  playerId: string;
  expiresAt: number;
  used: boolean;
}

interface TokenGrant {
  playerId: string;
  clientId: string;
  scope: string;
  expiresAt: number;
}

export interface OAuthReply {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

const token = (): string => randomBytes(32).toString('base64url');

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** Client credentials of an `Authorization: Basic` header, raw and form-decoded (RFC 6749 §2.3.1). */
function basicCredentials(header: string | undefined): { id: string; secret: string }[] {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return [];
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return [];
  const raw = { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  const unform = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return [raw, { id: unform(raw.id), secret: unform(raw.secret) }];
}

export function withParams(uri: string, params: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

export class OAuthServer {
  readonly config: OAuthConfig;
  private readonly state: FaceitState;
  private readonly signer: JwtSigner;
  private readonly now: () => number;
  private readonly codes = new Map<string, CodeGrant>();
  private readonly accessTokens = new Map<string, TokenGrant>();
  private readonly refreshTokens = new Map<string, TokenGrant>();
  codesIssued = 0;
  tokensIssued = 0;

  constructor(config: OAuthConfig, state: FaceitState, signer: JwtSigner, now: () => number = Date.now) {
    this.config = config;
    this.state = state;
    this.signer = signer;
    this.now = now;
  }

  checkAuthorize(p: Record<string, string | undefined>): AuthorizeCheck {
    if (p.client_id !== this.config.clientId) return { kind: 'page', message: 'Unknown client_id.' };
    if (!p.redirect_uri || !this.config.redirectUris.has(p.redirect_uri)) {
      return { kind: 'page', message: 'The redirect_uri is not registered for this client.' };
    }
    const fail = (error: string, description: string): AuthorizeCheck => ({
      kind: 'redirect',
      location: withParams(p.redirect_uri as string, {
        error,
        error_description: description,
        state: p.state,
      }),
    });
    if (p.response_type !== 'code') return fail('unsupported_response_type', 'response_type must be code');
    if (!p.code_challenge) return fail('invalid_request', 'code_challenge is required');
    if (p.code_challenge_method !== 'S256')
      return fail('invalid_request', 'code_challenge_method must be S256');
    return {
      kind: 'ok',
      request: {
        clientId: p.client_id,
        redirectUri: p.redirect_uri,
        ...(p.state !== undefined ? { state: p.state } : {}),
        scope: p.scope || DEFAULT_SCOPE,
        codeChallenge: p.code_challenge,
        codeChallengeMethod: 'S256',
      },
    };
  }

  /** The redirect after the person chose: a code for `player`, or access_denied when `player` is undefined. */
  complete(request: AuthorizeRequest, player: Player | undefined): string {
    if (!player) {
      return withParams(request.redirectUri, {
        error: 'access_denied',
        error_description: 'The user denied the authorization request',
        state: request.state,
      });
    }
    const code = token();
    this.codes.set(code, {
      request,
      playerId: player.id,
      expiresAt: this.now() + this.config.codeTtlMs,
      used: false,
    });
    this.codesIssued += 1;
    return withParams(request.redirectUri, { code, state: request.state });
  }

  /** Non-interactive consent. Throws where the real page would show an error instead of redirecting. */
  authorize(input: AuthorizeInput): string {
    const check = this.checkAuthorize({
      response_type: 'code',
      client_id: input.clientId,
      redirect_uri: input.redirectUri,
      state: input.state,
      scope: input.scope,
      code_challenge: input.codeChallenge,
      code_challenge_method: input.codeChallengeMethod,
    });
    if (check.kind === 'page') throw new Error(check.message);
    if (check.kind === 'redirect') return check.location;
    if (input.deny) return this.complete(check.request, undefined);
    return this.complete(check.request, this.choosePlayer(input.playerId, input.nickname));
  }

  /** The player signing in: by id (must exist) or by nickname (seeded when new). */
  choosePlayer(playerId: string | undefined, nickname: string | undefined): Player {
    if (playerId) {
      const player = this.state.players.get(playerId);
      if (!player) throw new Error(`unknown player: ${playerId}`);
      return player;
    }
    const nick = nickname?.trim();
    if (!nick) throw new Error('choose a player (playerId or nickname)');
    return this.state.playerByNickname(nick) ?? this.state.seedPlayer({ nickname: nick });
  }

  token(authorization: string | undefined, form: URLSearchParams): OAuthReply {
    const creds = basicCredentials(authorization);
    const authed = creds.some(
      (c) => sameSecret(c.id, this.config.clientId) && sameSecret(c.secret, this.config.clientSecret),
    );
    if (!authed) {
      return {
        status: 401,
        body: { error: 'invalid_client', error_description: 'Client authentication failed' },
      };
    }
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') return this.exchangeCode(form);
    if (grantType === 'refresh_token') return this.refresh(form);
    return { status: 400, body: { error: 'unsupported_grant_type', error_description: `${grantType}` } };
  }

  private exchangeCode(form: URLSearchParams): OAuthReply {
    const invalid = (description: string): OAuthReply => ({
      status: 400,
      body: { error: 'invalid_grant', error_description: description },
    });
    const code = form.get('code') ?? '';
    const grant = this.codes.get(code);
    if (!grant) return invalid('Unknown authorization code');
    if (grant.used) return invalid('Authorization code was already used');
    grant.used = true; // A code is spent the first time it is presented, whatever the outcome.
    if (grant.request.clientId !== this.config.clientId) return invalid('Code was issued to another client');
    if (this.now() >= grant.expiresAt) return invalid('Authorization code expired');
    if (form.get('redirect_uri') !== grant.request.redirectUri) {
      return invalid('redirect_uri does not match the authorization request');
    }
    const verifier = form.get('code_verifier');
    if (!verifier) return invalid('code_verifier is required');
    if (!VERIFIER_RE.test(verifier)) return invalid('code_verifier is malformed');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    if (challenge !== grant.request.codeChallenge) return invalid('PKCE verification failed');
    return this.issue(grant.playerId, grant.request.scope, true);
  }

  private refresh(form: URLSearchParams): OAuthReply {
    const refreshToken = form.get('refresh_token') ?? '';
    const grant = this.refreshTokens.get(refreshToken);
    if (!grant)
      return { status: 400, body: { error: 'invalid_grant', error_description: 'Unknown refresh token' } };
    this.refreshTokens.delete(refreshToken);
    return this.issue(grant.playerId, grant.scope, grant.scope.split(' ').includes('openid'));
  }

  private issue(playerId: string, scope: string, withIdToken: boolean): OAuthReply {
    const player = this.state.players.get(playerId);
    if (!player)
      return { status: 400, body: { error: 'invalid_grant', error_description: 'User no longer exists' } };
    const nowSec = Math.floor(this.now() / 1000);
    const grant: TokenGrant = {
      playerId,
      clientId: this.config.clientId,
      scope,
      expiresAt: this.now() + this.config.tokenTtlSec * 1000,
    };
    const accessToken = token();
    const refreshToken = token();
    this.accessTokens.set(accessToken, grant);
    this.refreshTokens.set(refreshToken, { ...grant });
    this.tokensIssued += 1;
    const body: Record<string, unknown> = {
      access_token: accessToken,
      token_type: 'bearer',
      refresh_token: refreshToken,
      expires_in: this.config.tokenTtlSec,
      scope,
    };
    if (withIdToken && this.config.idToken !== 'none') {
      body.id_token = this.signer.sign(this.idTokenClaims(player, nowSec));
    }
    return { status: 200, body, headers: { 'cache-control': 'no-store', pragma: 'no-cache' } };
  }

  setIdTokenMode(mode: IdTokenMode): void {
    if (!ID_TOKEN_MODES.includes(mode)) throw new Error(`unknown id_token mode: ${mode}`);
    this.config.idToken = mode;
  }

  private idTokenClaims(player: Player, nowSec: number): Record<string, unknown> {
    const mode = this.config.idToken;
    const claims: Record<string, unknown> = {
      iss: mode === 'broken' ? `${this.config.issuer()}/` : this.config.issuer(),
      sub: player.id,
      aud: this.config.clientId,
      iat: nowSec,
      exp: nowSec + this.config.tokenTtlSec,
      guid: player.id,
      nickname: player.nickname,
      email: player.email,
      picture: player.avatar,
      locale: 'en',
    };
    if (mode === 'no-exp' || mode === 'broken') delete claims.exp;
    if (mode === 'broken') {
      delete claims.iat;
      delete claims.sub;
    }
    return claims;
  }

  userinfo(accessToken: string | undefined): OAuthReply {
    const grant = accessToken ? this.accessTokens.get(accessToken) : undefined;
    const player = grant ? this.state.players.get(grant.playerId) : undefined;
    if (!grant || !player || this.now() >= grant.expiresAt) {
      return {
        status: 401,
        body: { error: 'invalid_token', error_description: 'The access token is invalid or expired' },
        headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      };
    }
    const scopes = grant.scope.split(' ');
    const body: Record<string, unknown> = { guid: player.id, nickname: player.nickname };
    if (scopes.includes('profile')) {
      body.name = player.nickname;
      body.picture = player.avatar;
      body.locale = 'en';
    }
    if (scopes.includes('email')) {
      body.email = player.email;
      body.email_verified = true;
    }
    if (scopes.includes('membership')) body.membership = player.membership || 'free';
    if (this.config.userinfoSub) body.sub = player.id;
    body.iss = this.config.issuer();
    body.aud = grant.clientId;
    return { status: 200, body };
  }
}
