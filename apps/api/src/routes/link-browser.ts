import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { browserBinding, OAUTH_STATE_TTL_SEC } from '@bridge/core';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from '../deps.ts';
import { STYLE_HASH } from '../pages/layout.ts';

const COOKIE_RE = /^[A-Za-z0-9_-]{43}$/;

export function isHttps(c: Context<AppEnv>): boolean {
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return forwarded === 'https' || new URL(c.req.url).protocol === 'https:';
}

/**
 * The name of the cookie that ties one sign-in (its OAuth state) to the browser that opened the /link
 * start page: one cookie per flow, so two /link buttons opened in one browser both work. Over https it
 * carries the `__Host-` prefix: the browser then accepts it only from this host itself (Secure, Path=/,
 * no Domain), so a sibling subdomain cannot plant one ("cookie tossing"); over https only that name is
 * read.
 */
export function browserCookieName(c: Context<AppEnv>, state: string): string {
  const flow = createHash('sha256').update(`link-browser:${state}`).digest('hex').slice(0, 16);
  return `${isHttps(c) ? '__Host-' : ''}bridge_link_${flow}`;
}

/**
 * A fresh value for a flow. Never a value the browser already has: a value someone planted would
 * otherwise become the binding, and a copied FACEIT URL would work in any browser that carries it.
 */
export function freshBrowserCookie(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * HttpOnly so scripts cannot read it; SameSite=Lax because FACEIT's redirect back is a cross-site
 * top-level GET (a Strict cookie would not come along); Secure whenever the request came over https
 * (directly or per X-Forwarded-Proto).
 */
export function setBrowserCookie(c: Context<AppEnv>, state: string, value: string): void {
  setCookie(c, browserCookieName(c, state), value, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: isHttps(c),
    path: '/',
    maxAge: OAUTH_STATE_TTL_SEC,
  });
}

/** Whether this request carries the cookie the start page issued for `state` (its hash is `binding`). */
export function sameBrowser(c: Context<AppEnv>, state: string, binding: string): boolean {
  const cookie = getCookie(c, browserCookieName(c, state));
  if (!cookie || !COOKIE_RE.test(cookie)) return false;
  return timingSafeEqual(Buffer.from(browserBinding(cookie)), Buffer.from(binding));
}

/** The flow is over (linked, refused or spent): its cookie goes. */
export function dropBrowserCookie(c: Context<AppEnv>, state: string): void {
  const name = browserCookieName(c, state);
  if (getCookie(c, name) === undefined) return;
  deleteCookie(c, name, { path: '/', secure: isHttps(c) });
}

/** Headers of the linking pages: nothing external, never framed, no Referer (URLs carry one-time secrets). */
export const linkPageHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    styleSrc: [STYLE_HASH],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
  referrerPolicy: 'no-referrer',
  xFrameOptions: 'DENY',
});
