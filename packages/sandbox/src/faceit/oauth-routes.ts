// HTTP side of FACEIT Connect: the authorize page and its form, token, userinfo, discovery and JWKS.
import { renderAuthorizePage, renderErrorPage } from './authorize-page.ts';
import { bearerToken, readForm, redirect, sendHtml, sendJson } from './http.ts';
import type { JwtSigner } from './jwt.ts';
import type { OAuthServer } from './oauth.ts';
import type { Route } from './router.ts';
import type { FaceitState } from './state.ts';

export interface OAuthRouteDeps {
  oauth: OAuthServer;
  state: FaceitState;
  signer: JwtSigner;
  baseUrl: () => string;
}

export const CONSENT_PATH = '/accounts/authorize';

export function oauthRoutes(deps: OAuthRouteDeps): Route[] {
  const { oauth } = deps;
  // The authorize page answers with and without a trailing slash.
  const authorize: Omit<Route, 'path'> = {
    name: 'oauth.authorize',
    method: 'GET',
    family: 'oauth',
    handle(_req, res, { url }) {
      const check = oauth.checkAuthorize(Object.fromEntries(url.searchParams));
      if (check.kind === 'page') return sendHtml(res, 400, renderErrorPage(check.message));
      if (check.kind === 'redirect') return redirect(res, check.location);
      sendHtml(res, 200, renderAuthorizePage(check.request, [...deps.state.players.values()], CONSENT_PATH));
    },
  };
  return [
    { ...authorize, path: '/accounts' },
    { ...authorize, path: '/accounts/' },
    {
      name: 'oauth.consent',
      method: 'POST',
      family: 'oauth',
      path: '/accounts/authorize',
      async handle(req, res) {
        const form = await readForm(req);
        const check = oauth.checkAuthorize(Object.fromEntries(form));
        if (check.kind === 'page') return sendHtml(res, 400, renderErrorPage(check.message));
        if (check.kind === 'redirect') return redirect(res, check.location);
        if (form.get('deny')) return redirect(res, oauth.complete(check.request, undefined));
        try {
          const player = oauth.choosePlayer(
            form.get('player_id') ?? undefined,
            form.get('nickname') ?? undefined,
          );
          redirect(res, oauth.complete(check.request, player));
        } catch (err) {
          sendHtml(res, 400, renderErrorPage(err instanceof Error ? err.message : String(err)));
        }
      },
    },
    {
      name: 'oauth.token',
      method: 'POST',
      family: 'oauth',
      path: '/auth/v1/oauth/token',
      async handle(req, res) {
        const type = req.headers['content-type'] ?? '';
        if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
          await readForm(req);
          return sendJson(res, 400, {
            error: 'invalid_request',
            error_description: 'Content-Type must be application/x-www-form-urlencoded',
          });
        }
        const reply = oauth.token(req.headers.authorization, await readForm(req));
        sendJson(res, reply.status, reply.body, reply.headers);
      },
    },
    {
      name: 'oauth.userinfo',
      method: 'GET',
      family: 'oauth',
      path: '/auth/v1/resources/userinfo',
      handle(req, res) {
        const reply = oauth.userinfo(bearerToken(req));
        sendJson(res, reply.status, reply.body, reply.headers);
      },
    },
    {
      name: 'oauth.discovery',
      method: 'GET',
      family: 'oauth',
      path: '/auth/v1/openid_configuration',
      handle(_req, res) {
        const base = deps.baseUrl();
        sendJson(res, 200, {
          issuer: oauth.config.issuer(),
          authorization_endpoint: `${base}/accounts`,
          token_endpoint: `${base}/auth/v1/oauth/token`,
          userinfo_endpoint: `${base}/auth/v1/resources/userinfo`,
          jwks_uri: `${base}/auth/v1/oauth/certs`,
          response_types_supported: ['code'],
          grant_types_supported: ['authorization_code', 'refresh_token'],
          scopes_supported: ['openid', 'email', 'profile', 'membership'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['client_secret_basic'],
          id_token_signing_alg_values_supported: ['RS256'],
          subject_types_supported: ['public'],
        });
      },
    },
    {
      name: 'oauth.jwks',
      method: 'GET',
      family: 'oauth',
      path: '/auth/v1/oauth/certs',
      handle(_req, res) {
        sendJson(res, 200, deps.signer.jwks());
      },
    },
  ];
}
