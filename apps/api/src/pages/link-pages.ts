import { LINK_FAILURES, type LinkJobResult } from '@bridge/core';
import { escapeHtml as e, renderPage } from './layout.ts';

const AGAIN = '<p>Go back to Discord and run <strong>/link</strong> again to get a fresh button.</p>';

export function linkedPage(r: LinkJobResult): string {
  const moved = r.previousDiscordUserId
    ? '<p>This FACEIT account was linked to another Discord account before; that link has been removed.</p>'
    : '';
  return renderPage(
    'ok',
    'Account linked',
    `<p>FACEIT account <strong>${e(r.faceitNickname)}</strong> is now linked to Discord user <strong>${e(r.discordUsername)}</strong>.</p>
${moved}<p>You can close this tab. The bot has also sent you a DM.</p>`,
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

export function failedPage(reason: string): string {
  const what = reason.startsWith(LINK_FAILURES.invalidGrant)
    ? 'FACEIT did not accept the sign-in (it was already used, expired, or did not match).'
    : reason.startsWith(LINK_FAILURES.ticketMissing)
      ? 'The sign-in took too long to process.'
      : 'FACEIT could not be reached to finish the sign-in.';
  return renderPage('fail', 'Linking failed', `<p>${e(what)} Nothing was linked.</p>${AGAIN}`);
}

export function pendingPage(): string {
  return renderPage(
    'wait',
    'Almost there',
    '<p>FACEIT is taking longer than usual. The bot will send you a DM in Discord when your account is linked (or if it fails).</p><p>You can close this tab.</p>',
  );
}
