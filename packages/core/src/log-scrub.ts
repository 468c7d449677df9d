import { stdSerializers } from 'pino';

/**
 * What a log line must never carry, whatever threw: OAuth codes, PKCE verifiers, tokens, secrets,
 * interaction tokens. Key names alone do not catch them, because libraries put them inside strings
 * and other objects of their errors:
 * - ioredis puts the failed command on its errors, `err.command.args` (a SET of an OAuth state or a
 *   parked sign-in holds the verifier and the code as JSON);
 * - @discordjs/rest's DiscordAPIError and HTTPError carry the request `url`
 *   (`/webhooks/<app>/<interaction token>/…`, `/interactions/<id>/<token>/callback`) and `requestBody`;
 * - fetch and OAuth errors may carry a URL with `?code=…&state=…`, or a response body as JSON text.
 * So errors are serialized here and every string in them is scrubbed, while harmless codes
 * (`err.code` 50035, a gateway close code) stay readable.
 */

/** Keys whose values are secrets wherever they appear inside an error. */
const SECRET_KEY =
  /^(verifier|code_?verifier|codeVerifier|access_?token|accessToken|refresh_?token|refreshToken|id_?token|idToken|token|client_?secret|clientSecret|secret|password|authorization|cookie|api_?key|apiKey|ticket|requestBody)$/i;

const REDACTED = '[redacted]';

const STRING_RULES: [RegExp, string][] = [
  // Interaction tokens in Discord URLs (webhook follow-ups and interaction callbacks).
  [/(\/(?:webhooks|interactions)\/\d+\/)[^/?#\s"'`]+/g, '$1:token'],
  // Query parameters that carry one-time secrets (OAuth code and state, the /link start token).
  [
    /([?&](?:code|state|t|token|access_token|id_token|refresh_token|code_verifier|client_secret|ticket)=)[^&#\s"'`]+/gi,
    `$1${REDACTED}`,
  ],
  // JSON text (a Redis command's argument, a response body): string values of secret-named keys.
  [
    /("(?:code|verifier|code_verifier|codeVerifier|state|ticket|token|access_token|refresh_token|id_token|client_secret|secret|password)"\s*:\s*)"(?:[^"\\]|\\.)*"/g,
    `$1"${REDACTED}"`,
  ],
  // Authorization header values.
  [/\b(Bearer|Bot|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, `$1 ${REDACTED}`],
  // A Discord bot token's shape, wherever it turns up.
  [/\b[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{25,}\b/g, REDACTED],
];

/** A string with every secret-shaped part replaced. */
export function scrubString(text: string): string {
  let out = text;
  for (const [pattern, replacement] of STRING_RULES) out = out.replace(pattern, replacement);
  return out;
}

function scrub(value: unknown, key: string, depth: number, seen: WeakSet<object>): unknown {
  if (SECRET_KEY.test(key)) return REDACTED;
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 6 || seen.has(value)) return '[…]';
  seen.add(value);
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  if (Array.isArray(value)) return value.map((v) => scrub(v, '', depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // A failed Redis command: its name says what failed, its arguments are the data (secrets included).
    if (k === 'command' && v && typeof v === 'object' && 'args' in v) {
      const { name } = v as { name?: unknown };
      out[k] = { name, args: REDACTED };
      continue;
    }
    out[k] = scrub(v, k, depth + 1, seen);
  }
  return out;
}

/** pino's `err` serializer, then every string scrubbed and secret-named keys blanked. */
export function serializeError(err: unknown): unknown {
  if (typeof err === 'string') return scrubString(err);
  if (!(err instanceof Error)) return scrub(err, '', 0, new WeakSet());
  return scrub({ ...stdSerializers.err(err) }, '', 0, new WeakSet());
}

/**
 * Censor for the key-name redaction paths: a `code` that is a number (a Discord error code, a gateway
 * close code) or a Node error code (`ECONNREFUSED`, `ERR_…`) is not a secret and stays; any other value
 * under a secret-looking key (an OAuth code is a random string) is blanked.
 */
export function censor(value: unknown, path: string[]): unknown {
  if (path.at(-1) === 'code') {
    if (typeof value === 'number') return value;
    if (typeof value === 'string' && /^E[A-Z0-9_]{2,40}$/.test(value)) return value;
  }
  return REDACTED;
}
