// The FACEIT Connect consent page: a small accessible form where a person picks a seeded account.
// Stable selectors: form#authorize, button[data-player="<nickname>"], input[name=nickname] +
// button[name=signup], button[name=deny].
import type { AuthorizeRequest } from './oauth.ts';
import type { Player } from './types.ts';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `body{font-family:system-ui,sans-serif;background:#1f1f1f;color:#f5f5f5;margin:0}
main{max-width:28rem;margin:3rem auto;padding:1.5rem;background:#2b2b2b;border-radius:8px}
h1{font-size:1.4rem;margin-top:0}fieldset{border:1px solid #555;border-radius:6px;margin:0 0 1rem;padding:1rem}
legend{padding:0 .25rem}ul{list-style:none;padding:0;margin:0}li{margin:.25rem 0}
button{font:inherit;padding:.5rem .75rem;border-radius:4px;border:0;cursor:pointer;width:100%;text-align:left}
button[data-player]{background:#ff5500;color:#fff}button[name=deny]{background:#555;color:#fff;text-align:center}
button:focus-visible,input:focus-visible{outline:3px solid #fff;outline-offset:2px}
label{display:block;margin-bottom:.25rem}input{font:inherit;width:100%;box-sizing:border-box;padding:.4rem;margin-bottom:.5rem}
.scope{color:#ccc;font-size:.9rem}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

export function renderAuthorizePage(request: AuthorizeRequest, players: Player[], action: string): string {
  const hidden = {
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    state: request.state,
    scope: request.scope,
    code_challenge: request.codeChallenge,
    code_challenge_method: request.codeChallengeMethod,
  };
  const inputs = Object.entries(hidden)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${escapeHtml(v)}">`)
    .join('\n');
  const list = players.length
    ? `<ul>\n${players
        .map(
          (p) =>
            `<li><button type="submit" name="player_id" value="${escapeHtml(p.id)}" data-player="${escapeHtml(p.nickname)}">Sign in as ${escapeHtml(p.nickname)}</button></li>`,
        )
        .join('\n')}\n</ul>`
    : '<p>No FACEIT accounts are seeded yet. Use another nickname below.</p>';
  return page(
    'Sign in with FACEIT (sandbox)',
    `<h1>Sign in with FACEIT</h1>
<p>An application wants to use your FACEIT account.</p>
<p class="scope">Requested access: <span id="scope">${escapeHtml(request.scope)}</span></p>
<form id="authorize" method="post" action="${escapeHtml(action)}">
${inputs}
<fieldset>
<legend>Choose an account</legend>
${list}
</fieldset>
<fieldset>
<legend>Or another account</legend>
<label for="nickname">FACEIT nickname</label>
<input id="nickname" name="nickname" autocomplete="username">
<button type="submit" name="signup" value="1">Sign in with this nickname</button>
</fieldset>
<button type="submit" name="deny" value="1">Deny</button>
</form>`,
  );
}

export function renderErrorPage(message: string): string {
  return page(
    'FACEIT sign-in error (sandbox)',
    `<h1>Something went wrong</h1>
<p role="alert" id="error">${escapeHtml(message)}</p>`,
  );
}
