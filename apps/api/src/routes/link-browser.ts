import { randomBytes, timingSafeEqual } from 'node:crypto';
import { browserBinding, OAUTH_STATE_TTL_SEC } from '@bridge/core';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from '../deps.ts';
import { STYLE_HASH } from '../pages/layout.ts';

/** The cookie that ties a FACEIT sign-in to the browser that opened the /link start page. */
export const BROWSER_COOKIE = 'bridge_link_browser';
const COOKIE_RE = /^[A-Za-z0-9_-]{43}$/;

/** The browser's existing binding (so two /link flows in one browser both work), or a fresh one. */
export function browserCookie(c: Context<AppEnv>): string {
  const existing = getCookie(c, BROWSER_COOKIE);
  return existing && COOKIE_RE.test(existing) ? existing : randomBytes(32).toString('base64url');
}

function isHttps(c: Context<AppEnv>): boolean {
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return forwarded === 'https' || new URL(c.req.url).protocol === 'https:';
}

/**
 * HttpOnly so scripts cannot read it; SameSite=Lax because FACEIT's redirect back is a cross-site
 * top-level GET (a Strict cookie would not come along); Secure whenever the request came over https.
 */
export function setBrowserCookie(c: Context<AppEnv>, value: string): void {
  setCookie(c, BROWSER_COOKIE, value, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: isHttps(c),
    path: '/',
    maxAge: OAUTH_STATE_TTL_SEC,
  });
}

/** Whether this request carries the cookie whose hash the flow stored. */
export function sameBrowser(c: Context<AppEnv>, binding: string): boolean {
  const cookie = getCookie(c, BROWSER_COOKIE);
  if (!cookie || !COOKIE_RE.test(cookie)) return false;
  return timingSafeEqual(Buffer.from(browserBinding(cookie)), Buffer.from(binding));
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
