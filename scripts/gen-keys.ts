// Fills the secrets of a .env in place: `./run gen-keys` (or `node scripts/gen-keys.ts [file]`, default .env;
// without a .env it starts from .env.example). Each key ends up on exactly one line: an empty or placeholder
// value (`change-me…`) is replaced by a random one, a value already set is kept (running it again changes
// nothing), and repeated lines of a key are folded into its first. Writes: the webhook secret, the dashboard
// password (only when ADMIN_USER is set: alone it would stop the API), and for compose's own database the
// Postgres password, the JWT secret and the anon/service_role keys signed with it.
// Prints which keys it wrote or kept, never a value, on stderr.
import { createHmac, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { supabaseKeys } from '../packages/testbed/src/jwt.ts';

const root = resolve(import.meta.dirname, '..');
const file = resolve(process.argv[2] ?? join(root, '.env'));

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/;
const PLACEHOLDER = /^change[-_ ]?me/i;

function unquote(raw: string): string {
  const v = raw.trim();
  const quoted = /^(['"`])(.*)\1$/.exec(v);
  return quoted ? (quoted[2] ?? '') : v.replace(/\s+#.*$/, '');
}

if (!existsSync(file)) {
  copyFileSync(join(root, '.env.example'), file);
  process.stderr.write(`gen-keys: no ${file}: started from .env.example\n`);
}
const lines = readFileSync(file, 'utf8').split('\n');

/** The value a reader of the file gets for `key`: Node's --env-file and compose take the last line. */
function current(key: string): string | undefined {
  let value: string | undefined;
  for (const line of lines) {
    const m = LINE.exec(line);
    if (m?.[1] === key) value = unquote(m[2] ?? '');
  }
  return value;
}
const isSet = (value: string | undefined): value is string =>
  Boolean(value) && !PLACEHOLDER.test(value ?? '');

const report: string[] = [];
const wanted = new Map<string, string>();
function keep(key: string, make: () => string) {
  const value = current(key);
  if (isSet(value)) {
    wanted.set(key, value);
    report.push(`${key}: kept`);
  } else {
    wanted.set(key, make());
    report.push(`${key}: ${value && PLACEHOLDER.test(value) ? 'placeholder replaced' : 'generated'}`);
  }
}

keep('FACEIT_WEBHOOK_SECRET', () => randomBytes(24).toString('base64url'));
if (isSet(current('ADMIN_USER'))) keep('ADMIN_PASSWORD', () => randomBytes(18).toString('base64url'));
else report.push('ADMIN_PASSWORD: not set (ADMIN_USER is empty: the queue dashboard stays off)');
// compose's self-hosted database (unused with a hosted Supabase project).
keep('POSTGRES_PASSWORD', () => randomBytes(18).toString('base64url'));
keep('JWT_SECRET', () => randomBytes(32).toString('hex'));
const jwtSecret = wanted.get('JWT_SECRET') as string;
const signed = supabaseKeys(jwtSecret);
/** A key signed with another JWT_SECRET (one just generated, or changed by hand) is signed again. */
const signedWith = (jwt: string, secret: string) => {
  const [header, body, signature] = jwt.split('.');
  return createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url') === signature;
};
for (const [key, fresh] of [
  ['ANON_KEY', signed.anonKey],
  ['SERVICE_ROLE_KEY', signed.serviceRoleKey],
] as const) {
  const value = current(key);
  if (isSet(value) && !signedWith(value, jwtSecret)) {
    wanted.set(key, fresh);
    report.push(`${key}: signed again with JWT_SECRET`);
  } else {
    keep(key, () => fresh);
  }
}

// One line per key: the first line of a key takes the value, its repeats go.
const written = new Set<string>();
const out: string[] = [];
for (const line of lines) {
  const key = LINE.exec(line)?.[1];
  if (key && wanted.has(key)) {
    if (written.has(key)) continue;
    written.add(key);
    out.push(`${key}=${wanted.get(key)}`);
  } else {
    out.push(line);
  }
}
const missing = [...wanted.keys()].filter((k) => !written.has(k));
if (missing.length > 0) {
  while (out.length > 0 && out.at(-1) === '') out.pop();
  out.push('', '# written by scripts/gen-keys.ts', ...missing.map((k) => `${k}=${wanted.get(k)}`), '');
}
// Through a temporary file: a crash half-way never leaves a truncated .env.
const tmp = join(dirname(file), `.${Date.now()}.gen-keys.tmp`);
writeFileSync(tmp, out.join('\n'), { mode: 0o600 });
renameSync(tmp, file);
process.stderr.write(`${report.map((r) => `gen-keys: ${r}`).join('\n')}\ngen-keys: wrote ${file}\n`);
