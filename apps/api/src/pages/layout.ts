import { createHash } from 'node:crypto';

// Readable on a phone, high contrast, no external assets: the CSP allows only this exact style block.
const CSS = `body{font:1.05rem/1.5 system-ui,sans-serif;margin:0;padding:1.5rem;background:#f6f7f9;color:#111}
main{max-width:32rem;margin:2rem auto;background:#fff;border-radius:.75rem;padding:1.5rem;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem;margin-top:0}.ok h1{color:#0a6b2d}.fail h1{color:#a3120d}.wait h1{color:#6b4a00}
strong{word-break:break-word}
a.go{display:block;text-align:center;background:#ff5500;color:#fff;font-weight:600;padding:.8rem 1rem;border-radius:.5rem;text-decoration:none}
a.go:focus-visible{outline:3px solid #111;outline-offset:2px}`;

/** The Content-Security-Policy style-src source for CSS above. */
export const STYLE_HASH = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`;

export type PageTone = 'ok' | 'fail' | 'wait' | 'start';

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A whole page; `body` must already be escaped HTML. */
export function renderPage(tone: PageTone, title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${CSS}</style></head>
<body><main class="${tone}" role="${tone === 'fail' ? 'alert' : 'status'}" data-outcome="${tone}">
<h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;
}
