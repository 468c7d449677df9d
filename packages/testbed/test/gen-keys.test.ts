import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv as nodeParseEnv } from 'node:util';
import { apiConfigSchema, parseEnv } from '@bridge/core';
import { afterEach, describe, expect, it } from 'vitest';

// The operator's first step: `cp .env.example .env`, then `./run gen-keys`. The file must end with exactly
// one line per secret, holding a random value — the value App Studio gets is the one the API checks.

const root = join(import.meta.dirname, '../../..');
const KEYS = ['FACEIT_WEBHOOK_SECRET', 'POSTGRES_PASSWORD', 'JWT_SECRET', 'ANON_KEY', 'SERVICE_ROLE_KEY'];

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function envFile(text?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bridge-gen-keys-'));
  dirs.push(dir);
  const file = join(dir, '.env');
  if (text === undefined) copyFileSync(join(root, '.env.example'), file);
  else writeFileSync(file, text);
  return file;
}

function genKeys(file: string): string {
  return execFileSync(process.execPath, [join(root, 'scripts/gen-keys.ts'), file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const linesOf = (file: string, key: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith(`${key}=`));

const verifies = (jwt: string, secret: string) => {
  const [h, b, s] = jwt.split('.');
  return createHmac('sha256', secret).update(`${h}.${b}`).digest('base64url') === s;
};

describe('./run gen-keys after cp .env.example .env', () => {
  it('.env.example carries no usable webhook secret', () => {
    const example = nodeParseEnv(readFileSync(join(root, '.env.example'), 'utf8'));
    expect(example.FACEIT_WEBHOOK_SECRET ?? '').toBe('');
  });

  it('leaves exactly one line per key, each a random value the apps accept', async () => {
    const file = await envFile();
    const stdout = genKeys(file);
    expect(stdout).toBe(''); // nothing for a `>> .env` of the old instructions to append
    for (const key of KEYS) expect(linesOf(file, key), key).toHaveLength(1);
    const env = nodeParseEnv(readFileSync(file, 'utf8'));
    expect(env.FACEIT_WEBHOOK_SECRET?.length).toBeGreaterThanOrEqual(32);
    expect(env.FACEIT_WEBHOOK_SECRET).not.toMatch(/change/i);
    expect(verifies(env.SERVICE_ROLE_KEY ?? '', env.JWT_SECRET ?? '')).toBe(true);
    expect(verifies(env.ANON_KEY ?? '', env.JWT_SECRET ?? '')).toBe(true);
    // The API starts with the file as written (the dashboard stays off: no ADMIN_USER).
    const config = parseEnv(apiConfigSchema, env);
    expect(config.FACEIT_WEBHOOK_SECRET).toBe(env.FACEIT_WEBHOOK_SECRET);
    expect(config.ADMIN_PASSWORD).toBeUndefined();
    expect(statSync(file).mode & 0o077).toBe(0); // readable by its owner only
  });

  it('replaces a placeholder and folds repeated lines, even the ones an old `>> .env` appended', async () => {
    const example = readFileSync(join(root, '.env.example'), 'utf8');
    const file = await envFile(
      `${example.replace(/^FACEIT_WEBHOOK_SECRET=.*$/m, 'FACEIT_WEBHOOK_SECRET=change-me-to-a-long-random-string')}` +
        'ADMIN_USER=ops\nFACEIT_WEBHOOK_SECRET=\nPOSTGRES_PASSWORD=\n',
    );
    genKeys(file);
    for (const key of [...KEYS, 'ADMIN_PASSWORD']) expect(linesOf(file, key), key).toHaveLength(1);
    const env = nodeParseEnv(readFileSync(file, 'utf8'));
    expect(env.FACEIT_WEBHOOK_SECRET).not.toMatch(/change-me/);
    expect(env.ADMIN_PASSWORD?.length).toBeGreaterThanOrEqual(16);
    expect(parseEnv(apiConfigSchema, env).ADMIN_USER).toBe('ops');
  });

  it('keeps values already set: running it again changes nothing', async () => {
    const file = await envFile();
    genKeys(file);
    const first = readFileSync(file, 'utf8');
    const out = execFileSync(process.execPath, [join(root, 'scripts/gen-keys.ts'), file], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toBe('');
    expect(readFileSync(file, 'utf8')).toBe(first);
  });

  it('signs the service keys again when JWT_SECRET was changed by hand', async () => {
    const file = await envFile();
    genKeys(file);
    const before = nodeParseEnv(readFileSync(file, 'utf8'));
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(/^JWT_SECRET=.*$/m, `JWT_SECRET=${'a'.repeat(64)}`),
    );
    genKeys(file);
    const after = nodeParseEnv(readFileSync(file, 'utf8'));
    expect(after.SERVICE_ROLE_KEY).not.toBe(before.SERVICE_ROLE_KEY);
    expect(verifies(after.SERVICE_ROLE_KEY ?? '', 'a'.repeat(64))).toBe(true);
    expect(after.FACEIT_WEBHOOK_SECRET).toBe(before.FACEIT_WEBHOOK_SECRET);
  });
});
