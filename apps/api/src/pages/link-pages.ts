import type { LinkFailure, LinkResult } from '@bridge/core';
import { escapeHtml as e, renderPage } from './layout.ts';

const AGAIN = '<p>Go back to Discord and run <strong>/link</strong> again to get a fresh button.</p>';

/** Linked; `r` is null when the result was no longer there to read (the DM names the account). */
export function linkedPage(r: LinkResult | null): string {
  const moved = r?.tookOver
    ? '<p>This FACEIT account was linked to another Discord account before; that link has been removed.</p>'
    : '';
  const what = r
    ? `<p>FACEIT account <strong>${e(r.faceitNickname)}</strong> is now linked to Discord user <strong>${e(r.discordUsername)}</strong>.</p>`
    : '<p>Your FACEIT account is now linked.</p>';
  return renderPage(
    'ok',
    'Account linked',
    `${what}
${moved}<p>You can close this tab. The bot has also sent you a DM.</p>`,
  );
}

/** The start page: whose Discord account this is, then the way on to FACEIT. */
export function startPage(discordUsername: string, authorizeUrl: string): string {
  return renderPage(
    'start',
    'Link your FACEIT account',
    `<p>You are linking your FACEIT account to Discord user <strong id="discord-user">@${e(discordUsername)}</strong>.</p>
<p>If that is not your Discord account, close this page: someone sent you their /link button, and continuing would give them your FACEIT account.</p>
<p><a class="go" id="continue" href="${e(authorizeUrl)}">Continue to FACEIT sign-in</a></p>`,
  );
}

export function startUsedPage(): string {
  return renderPage(
    'fail',
    'This button was already used',
    `<p>This /link button was already opened, or it is older than 10 minutes, so it cannot start a sign-in. Each button works once, in one browser.</p>${AGAIN}`,
  );
}

export function otherBrowserPage(): string {
  return renderPage(
    'fail',
    'Sign-in started in another browser',
    `<p>This FACEIT sign-in was not started in this browser, so nothing was linked. A sign-in only counts in the browser that opened the /link button, so that nobody can link your FACEIT account to their Discord account with a copied link.</p>${AGAIN}`,
  );
}

export function deniedPage(): string {
  return renderPage(
    'fail',
    'Linking cancelled',
    `<p>FACEIT did not give access, so nothing was linked (you may have pressed Deny).</p>${AGAIN}`,
  );
}

export function badStatePage(): string {
  return renderPage(
    'fail',
    'This link has expired',
    `<p>This sign-in link is unknown, older than 10 minutes, or was already used, so nothing was linked.</p>${AGAIN}`,
  );
}

export function badRequestPage(): string {
  return renderPage(
    'fail',
    'Something is missing',
    `<p>This page was opened without the details FACEIT normally sends, so nothing was linked.</p>${AGAIN}`,
  );
}

export function unavailablePage(): string {
  return renderPage(
    'fail',
    'Try again in a minute',
    `<p>The bridge cannot take the request right now, so nothing was linked.</p>${AGAIN}`,
  );
}

/** What a `linkAccount` that failed for good tells the person, by reason. */
const FAILED_BECAUSE: Record<Exclude<LinkFailure, 'misconfigured'>, string> = {
  invalid_grant: 'FACEIT did not accept the sign-in (it was already used, expired, or did not match).',
  ticket_missing: 'The sign-in took too long to process.',
  faceit_unavailable: 'FACEIT had a problem finishing the sign-in.',
};

export function failedPage(reason: LinkFailure): string {
  if (reason === 'misconfigured') {
    return renderPage(
      'fail',
      'Linking is not working right now',
      '<p>Linking is misconfigured on this server’s side, and the bridge’s operators are alerted. Nothing was linked, and there is nothing wrong with your FACEIT account or anything you did.</p><p>You can close this tab; linking works once they have fixed the setting.</p>',
    );
  }
  return renderPage(
    'fail',
    'Linking failed',
    `<p>${e(FAILED_BECAUSE[reason])} Nothing was linked.</p>${AGAIN}`,
  );
}

export function pendingPage(): string {
  return renderPage(
    'wait',
    'Almost there',
    '<p>FACEIT is taking longer than usual. The bot will send you a DM in Discord when your account is linked (or if it fails).</p><p>You can close this tab.</p>',
  );
}
