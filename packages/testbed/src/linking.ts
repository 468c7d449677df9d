/** Linking a FACEIT account as a user would, without a browser (the API's and the worker's tests use it). */
import { runCommand } from './commands.ts';
import type { Stack } from './stack.ts';

/** Invokes /link as `userId` and returns the Link button's URL (our start page) from the ephemeral reply. */
export async function linkButtonUrl(stack: Stack, userId: string): Promise<{ url: URL; ephemeral: boolean }> {
  const { reply } = await runCommand(stack, { user: userId, name: 'link' });
  const rows = reply.components as { components: { style: number; url?: string }[] }[];
  const button = rows[0]?.components[0];
  if (!button?.url || button.style !== 5) throw new Error(`no link button in ${JSON.stringify(reply)}`);
  return { url: new URL(button.url), ephemeral: reply.ephemeral };
}

/** A browser without a browser: opens the start page and keeps the cookie it sets. */
export async function openStart(
  startUrl: URL,
): Promise<{ status: number; html: string; cookie: string; authorizeUrl?: URL; setCookie: string }> {
  const res = await fetch(startUrl);
  const html = await res.text();
  const setCookie = res.headers.get('set-cookie') ?? '';
  const href = /<a class="go" id="continue" href="([^"]+)"/.exec(html)?.[1];
  return {
    status: res.status,
    html,
    setCookie,
    cookie: setCookie.split(';')[0] ?? '',
    ...(href ? { authorizeUrl: new URL(href.replaceAll('&amp;', '&')) } : {}),
  };
}

/** /link, then its start page: FACEIT's authorize URL and the cookie that binds this "browser". */
export async function startLink(
  stack: Stack,
  userId: string,
): Promise<{ authorizeUrl: URL; cookie: string }> {
  const { url } = await linkButtonUrl(stack, userId);
  const start = await openStart(url);
  if (!start.authorizeUrl || !start.cookie)
    throw new Error(`start page failed: ${start.status} ${start.html}`);
  return { authorizeUrl: start.authorizeUrl, cookie: start.cookie };
}

/** FACEIT's consent without a browser: the callback URL FACEIT would redirect to. */
export function consent(stack: Stack, authorizeUrl: URL, opts: { nickname?: string; deny?: boolean }): URL {
  const q = authorizeUrl.searchParams;
  return new URL(
    stack.faceit.authorize({
      clientId: q.get('client_id') ?? '',
      redirectUri: q.get('redirect_uri') ?? '',
      state: q.get('state') ?? '',
      codeChallenge: q.get('code_challenge') ?? '',
      codeChallengeMethod: 'S256',
      scope: q.get('scope') ?? '',
      ...(opts.nickname ? { nickname: opts.nickname } : {}),
      ...(opts.deny ? { deny: true } : {}),
    }),
  );
}

/** The whole flow in one "browser": /link, start page, consent as `nickname`, the callback with the cookie. */
export async function linkWithFetch(
  stack: Stack,
  userId: string,
  nickname: string,
  apiUrl = stack.apiUrl,
): Promise<{ status: number; text: string }> {
  const { authorizeUrl, cookie } = await startLink(stack, userId);
  const callback = consent(stack, authorizeUrl, { nickname });
  const res = await fetch(`${apiUrl}${callback.pathname}${callback.search}`, { headers: { cookie } });
  return { status: res.status, text: await res.text() };
}
