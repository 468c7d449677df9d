import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiConfigSchema, ConfigError, parseEnv, redisUrlOf, workerConfigSchema } from '../src/index.ts';

const workerEnv = {
  SUPABASE_URL: 'http://127.0.0.1:54321',
  SUPABASE_SERVICE_ROLE_KEY: 'service-role-key-xxxxxxxxxxxx',
  DISCORD_TOKEN: 'discord-token-value',
  DISCORD_GUILD_ID: '111111111111111111',
  FACEIT_API_KEY: 'faceit-api-key',
  FACEIT_CLIENT_ID: 'client',
  FACEIT_CLIENT_SECRET: 'client-secret',
  FACEIT_REDIRECT_URI: 'https://bridge.example.org/faceit/callback',
};

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('api config', () => {
  it('applies the documented defaults', () => {
    const c = parseEnv(apiConfigSchema, { FACEIT_WEBHOOK_SECRET: 'a-long-enough-secret' });
    expect(c).toMatchObject({
      PORT: 3000,
      QUEUE_PREFIX: 'bull',
      FACEIT_WEBHOOK_HEADER: 'x-faceit-webhook-secret',
      LOG_LEVEL: 'info',
    });
    expect(redisUrlOf(c)).toBe('redis://127.0.0.1:6379');
  });

  it('names every problem on its own line and never echoes a secret', () => {
    const env = {
      FACEIT_WEBHOOK_SECRET: 'short-secret',
      PORT: 'eighty',
      REDIS_URL: 'http://nope',
      ADMIN_USER: 'ops',
    };
    const lines = problems(() => parseEnv(apiConfigSchema, env));
    expect(lines).toHaveLength(4);
    expect(lines.find((l) => l.startsWith('FACEIT_WEBHOOK_SECRET:'))).toMatch(/at least 16/);
    expect(lines.find((l) => l.startsWith('PORT:'))).toBeDefined();
    expect(lines.find((l) => l.startsWith('REDIS_URL:'))).toMatch(/redis:\/\//);
    expect(lines.find((l) => l.startsWith('ADMIN_PASSWORD:'))).toMatch(/together/);
    expect(lines.join('\n')).not.toContain('short-secret');
  });

  it('says a required variable is not set', () => {
    expect(problems(() => parseEnv(apiConfigSchema, {}))).toEqual([
      'FACEIT_WEBHOOK_SECRET: is required but not set',
    ]);
  });

  it('takes an optional query parameter for the webhook secret, and refuses a name that is not one', () => {
    const base = { FACEIT_WEBHOOK_SECRET: 'a-long-enough-secret' };
    expect(parseEnv(apiConfigSchema, base).FACEIT_WEBHOOK_QUERY_PARAM).toBeUndefined();
    expect(
      parseEnv(apiConfigSchema, { ...base, FACEIT_WEBHOOK_QUERY_PARAM: 'auth' }).FACEIT_WEBHOOK_QUERY_PARAM,
    ).toBe('auth');
    expect(
      problems(() => parseEnv(apiConfigSchema, { ...base, FACEIT_WEBHOOK_QUERY_PARAM: 'a b&c' })),
    ).toEqual(['FACEIT_WEBHOOK_QUERY_PARAM: must be a query parameter name (letters, digits, _ . -)']);
  });

  it('treats an empty value as unset', () => {
    const c = parseEnv(apiConfigSchema, {
      FACEIT_WEBHOOK_SECRET: 'a-long-enough-secret',
      ADMIN_USER: '',
      ADMIN_PASSWORD: '',
    });
    expect(c.ADMIN_USER).toBeUndefined();
  });
});

describe('worker config', () => {
  it('accepts a complete environment with real-service defaults', () => {
    const c = parseEnv(workerConfigSchema, workerEnv);
    expect(c.DISCORD_API_URL).toBe('https://discord.com/api');
    expect(c.FACEIT_API_URL).toBe('https://open.faceit.com/data/v4');
    expect(c.VC_NAME_TEMPLATE).toBe('match-{short}-{faction}');
  });

  it('lists each missing variable', () => {
    const lines = problems(() => parseEnv(workerConfigSchema, {}));
    for (const key of Object.keys(workerEnv).filter((k) => k !== 'DISCORD_GUILD_ID'))
      expect(lines).toContain(`${key}: is required but not set`);
  });

  it('makes DISCORD_GUILD_ID optional (multi-guild, /setup) but refuses VC_* without it', () => {
    const { DISCORD_GUILD_ID: _, ...multi } = workerEnv;
    expect(parseEnv(workerConfigSchema, multi).DISCORD_GUILD_ID).toBeUndefined();
    expect(
      problems(() => parseEnv(workerConfigSchema, { ...multi, VC_CATEGORY_ID: '222222222222222222' })),
    ).toEqual([
      'VC_CATEGORY_ID: is set but DISCORD_GUILD_ID is not: set DISCORD_GUILD_ID (single-guild mode) or unset it and use /setup',
    ]);
  });

  it('rejects malformed ids and templates without printing them', () => {
    const lines = problems(() =>
      parseEnv(workerConfigSchema, { ...workerEnv, DISCORD_GUILD_ID: 'my-guild', VC_NAME_TEMPLATE: 'voice' }),
    );
    expect(lines.find((l) => l.startsWith('DISCORD_GUILD_ID:'))).toMatch(/Discord id/);
    expect(lines.filter((l) => l.startsWith('VC_NAME_TEMPLATE:'))).toHaveLength(2);
    expect(lines.join('\n')).not.toContain('my-guild');
  });

  it('reads BRIDGE_GUILDS (* or guild ids) and BRIDGE_OPERATOR_IDS as lists, and names a malformed one', () => {
    const c = parseEnv(workerConfigSchema, {
      ...workerEnv,
      BRIDGE_GUILDS: '222222222222222222, 333333333333333333',
      BRIDGE_OPERATOR_IDS: '444444444444444444',
    });
    expect(c.BRIDGE_GUILDS).toEqual(['222222222222222222', '333333333333333333']);
    expect(c.BRIDGE_OPERATOR_IDS).toEqual(['444444444444444444']);
    expect(parseEnv(workerConfigSchema, { ...workerEnv, BRIDGE_GUILDS: '*' }).BRIDGE_GUILDS).toBe('any');
    expect(parseEnv(workerConfigSchema, { ...workerEnv, BRIDGE_GUILDS: '' }).BRIDGE_GUILDS).toBeUndefined();
    expect(
      problems(() =>
        parseEnv(workerConfigSchema, { ...workerEnv, BRIDGE_GUILDS: 'all', BRIDGE_OPERATOR_IDS: '1,me' }),
      ),
    ).toEqual([
      'BRIDGE_GUILDS: must be * or guild ids (17–20 digits) separated by commas',
      'BRIDGE_OPERATOR_IDS: must be Discord ids (17–20 digits) separated by commas',
    ]);
  });

  it("reads FACEIT_COMMAND_WAIT_MS, 3 s unset, and names a value past Discord's 15 minutes", () => {
    expect(parseEnv(workerConfigSchema, workerEnv).FACEIT_COMMAND_WAIT_MS).toBe(3000);
    expect(
      parseEnv(workerConfigSchema, { ...workerEnv, FACEIT_COMMAND_WAIT_MS: '10000' }).FACEIT_COMMAND_WAIT_MS,
    ).toBe(10_000);
    expect(
      problems(() => parseEnv(workerConfigSchema, { ...workerEnv, FACEIT_COMMAND_WAIT_MS: '900000' })),
    ).toEqual(['FACEIT_COMMAND_WAIT_MS: must be at most 600000 (10 minutes)']);
    expect(
      problems(() => parseEnv(workerConfigSchema, { ...workerEnv, FACEIT_COMMAND_WAIT_MS: '3s' })),
    ).toEqual(['FACEIT_COMMAND_WAIT_MS: must be a number']);
  });

  it('requires openid in FACEIT_SCOPE, which userinfo needs', () => {
    expect(
      problems(() => parseEnv(workerConfigSchema, { ...workerEnv, FACEIT_SCOPE: 'profile email' })),
    ).toEqual(["FACEIT_SCOPE: must include openid (FACEIT's userinfo needs it)"]);
    expect(
      parseEnv(workerConfigSchema, { ...workerEnv, FACEIT_SCOPE: 'openid profile email' }).FACEIT_SCOPE,
    ).toBe('openid profile email');
  });
});

describe('placeholders and production URLs', () => {
  const root = join(import.meta.dirname, '../../..');
  const example = (key: string) =>
    /^([A-Z_]+)=(.*)$/m.exec(
      readFileSync(join(root, '.env.example'), 'utf8')
        .split('\n')
        .find((l) => l.startsWith(`${key}=`)) ?? '',
    )?.[2] ?? '';

  it('the webhook secret of earlier .env.example files, and any change-me value, is refused by name without echoing it', () => {
    // Today's example leaves it empty (gen-keys writes it); a .env copied from an earlier one still carries this.
    expect(example('FACEIT_WEBHOOK_SECRET')).toBe('');
    const placeholder = 'change-me-to-a-long-random-string';
    const found = problems(() => parseEnv(apiConfigSchema, { FACEIT_WEBHOOK_SECRET: placeholder }));
    expect(found).toEqual([
      'FACEIT_WEBHOOK_SECRET: is still the placeholder from .env.example: set a random value (`./run gen-keys` writes one into .env)',
    ]);
    expect(found.join('\n')).not.toContain(placeholder);
    const admin = problems(() =>
      parseEnv(apiConfigSchema, {
        FACEIT_WEBHOOK_SECRET: 'a-long-enough-secret',
        ADMIN_USER: 'ops',
        ADMIN_PASSWORD: 'Change_Me_Now_1234',
      }),
    );
    expect(admin).toEqual([expect.stringMatching(/^ADMIN_PASSWORD: is still the placeholder/)]);
    const worker = problems(() =>
      parseEnv(workerConfigSchema, { ...workerEnv, DISCORD_TOKEN: 'changeme-token' }),
    );
    expect(worker).toEqual([expect.stringMatching(/^DISCORD_TOKEN: is still the placeholder/)]);
  });

  it('in production, refuses http FACEIT sign-in URLs and a loopback redirect URI; development allows the sandbox', () => {
    const sandbox = {
      ...workerEnv,
      FACEIT_AUTH_URL: 'http://127.0.0.1:4000/accounts',
      FACEIT_TOKEN_URL: 'http://127.0.0.1:4000/token',
      FACEIT_USERINFO_URL: 'http://127.0.0.1:4000/userinfo',
      FACEIT_REDIRECT_URI: 'http://127.0.0.1:3000/faceit/callback',
    };
    expect(problems(() => parseEnv(workerConfigSchema, { ...sandbox, NODE_ENV: 'production' }))).toEqual([
      'FACEIT_AUTH_URL: must be an https URL when NODE_ENV=production',
      'FACEIT_TOKEN_URL: must be an https URL when NODE_ENV=production',
      'FACEIT_USERINFO_URL: must be an https URL when NODE_ENV=production',
      'FACEIT_REDIRECT_URI: must be an https URL when NODE_ENV=production',
      "FACEIT_REDIRECT_URI: must be the API's public address (https://<your host>/faceit/callback), not a loopback address, when NODE_ENV=production",
    ]);
    for (const host of ['localhost', '127.0.0.2', '[::1]', 'bridge.localhost']) {
      const found = problems(() =>
        parseEnv(workerConfigSchema, {
          ...workerEnv,
          FACEIT_REDIRECT_URI: `https://${host}/faceit/callback`,
        }),
      );
      expect(found, host).toEqual([
        expect.stringMatching(/^FACEIT_REDIRECT_URI: must be the API's public address/),
      ]);
    }
    // NODE_ENV defaults to production: the real services' https defaults and a public redirect pass.
    expect(parseEnv(workerConfigSchema, workerEnv).FACEIT_REDIRECT_URI).toBe(workerEnv.FACEIT_REDIRECT_URI);
    for (const NODE_ENV of ['development', 'test']) {
      expect(parseEnv(workerConfigSchema, { ...sandbox, NODE_ENV }).FACEIT_AUTH_URL).toBe(
        sandbox.FACEIT_AUTH_URL,
      );
    }
  });
});

describe('.env.example and README', () => {
  const root = join(import.meta.dirname, '../../..');
  // The apps' variables; the last block documents what only docker-compose.yml reads (deploy.test.ts checks it).
  const [appsPart] = readFileSync(join(root, '.env.example'), 'utf8').split(/^# ── docker compose only/m);
  const documented = (appsPart ?? '')
    .split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => l.slice(0, l.indexOf('=')));
  const known = new Set([...Object.keys(apiConfigSchema.shape), ...Object.keys(workerConfigSchema.shape)]);

  it('documents every variable the apps read, and only those', () => {
    expect(new Set(documented)).toEqual(known);
  });

  it('lists every variable in the README configuration table', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const key of known) expect(readme, key).toContain(`\`${key}\``);
  });
});
