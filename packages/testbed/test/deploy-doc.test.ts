import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MATCH_EVENTS } from '@bridge/core';
import { startDiscordEmulator } from '@bridge/sandbox/discord/index';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript } from './run-script.ts';

// docs/deploy.md is what a new operator follows: every command it names must exist, every file it points at
// must be in the repository, and the commands that can run here do (against the emulators). The commands'
// behaviour is tested where they live (run-setup, gen-keys, preflight-cli, preflight-faceit, invite,
// links-backup, deploy, previous-release).

const root = join(import.meta.dirname, '../../..');
const doc = readFileSync(join(root, 'docs/deploy.md'), 'utf8');
const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts as Record<
  string,
  string
>;

/** `./run <script>` names, `node <file>` and `sh <file>` paths, and repository paths in backticks or commands. */
const runs = [...new Set([...doc.matchAll(/\.\/run ([\w:-]+)/g)].map((m) => m[1] as string))];
const files = [
  ...new Set(
    [
      ...doc.matchAll(
        /(?:\bnode|\bsh|-f|@|<) ?((?:apps|packages|scripts|deploy|supabase|fixtures)\/[\w./-]+)/g,
      ),
    ].map((m) => m[1] as string),
  ),
];
const mentioned = [
  ...new Set(
    [
      ...doc.matchAll(
        /`((?:deploy|supabase|docs|packages|apps|scripts|fixtures)\/[\w./-]+|[A-Z][A-Z_]*\.md|release\.json)`/g,
      ),
    ].map((m) => m[1] as string),
  ),
];

describe('docs/deploy.md', () => {
  it('is linked from the top of the README, before any other doc', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const firstDoc = /\]\((docs\/[\w.-]+)\)/.exec(readme)?.[1];
    expect(firstDoc).toBe('docs/deploy.md');
  });

  it('names only ./run commands that exist', () => {
    expect(runs).toEqual(
      expect.arrayContaining([
        'gen-keys',
        'invite',
        'faceit-subscription',
        'preflight',
        'start:api',
        'start:worker',
        'backup-links',
        'restore-links',
      ]),
    );
    for (const name of runs) expect(Object.keys(scripts), `./run ${name}`).toContain(name);
  });

  it('has a production host run only production commands, and the README names exactly those', () => {
    // `./run` sets a checkout up for development (every dependency, and as root on Debian the tests' system
    // packages: Chromium, redis-server) for any command not on its production list: a step naming such a
    // command would do that to a production host.
    const runScript = readFileSync(join(root, 'run'), 'utf8');
    const line = /^\s*([\w:| -]+)\)\s*\n\s*BRIDGE_SETUP=production/m.exec(runScript)?.[1];
    const production = (line ?? '').split('|').map((c) => c.trim());
    expect(production).toContain('start:worker');
    for (const name of runs) expect(production, `./run ${name} in docs/deploy.md`).toContain(name);
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const listed = /\*\*Production commands\*\* \(([^)]*)\)/.exec(readme)?.[1] ?? '';
    expect([...listed.matchAll(/`([\w:-]+)`/g)].map((m) => m[1]).sort()).toEqual([...production].sort());
  });

  it('points only at files that exist', () => {
    expect(files.length).toBeGreaterThan(3);
    // What a command writes and git ignores (supabase/.temp/) is named but not in the repository.
    const ignored = (f: string) => {
      try {
        execFileSync('git', ['check-ignore', '-q', f], { cwd: root });
        return true;
      } catch {
        return false;
      }
    };
    for (const f of [...files, ...mentioned].filter((f) => !ignored(f))) {
      expect(existsSync(join(root, f)), f).toBe(true);
    }
  });

  it('lists exactly the webhook events the bridge acts on', () => {
    const step = doc.slice(doc.indexOf('Tick these events'), doc.indexOf('Once servers follow'));
    const named = [...step.matchAll(/`(match_[a-z_]+)`/g)].map((m) => m[1]);
    expect(named.sort()).toEqual([...MATCH_EVENTS].sort());
  });

  it("names compose's services and profile as docker-compose.yml has them", () => {
    const compose = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
    for (const svc of ['proxy', 'redis', 'api', 'worker', 'db', 'migrate', 'rest', 'gateway']) {
      expect(compose).toMatch(new RegExp(`^ {2}${svc}:$`, 'm'));
    }
    expect(compose).toContain('profiles: [local-db]');
    const example = readFileSync(join(root, '.env.example'), 'utf8');
    for (const v of [
      'BRIDGE_HOST',
      'COMPOSE_PROFILES',
      'SUPABASE_URL',
      'SUPABASE_SERVICE_ROLE_KEY',
      'TRUSTED_PROXY_HOPS',
    ]) {
      expect(example, v).toMatch(new RegExp(`^${v}=`, 'm'));
    }
  });
});

describe('its commands that can run here', () => {
  let emu: Awaited<ReturnType<typeof startDiscordEmulator>>;
  beforeAll(async () => {
    emu = await startDiscordEmulator();
  });
  afterAll(async () => {
    await emu?.close();
  });

  it('./run invite prints the URL to add the bot', async () => {
    const run = runScript('invite', { DISCORD_TOKEN: emu.botToken, DISCORD_API_URL: emu.apiUrl });
    const { code } = await run.exited;
    expect(code, run.output()).toBe(0);
    expect(run.output()).toContain(
      `https://discord.com/oauth2/authorize?client_id=${emu.applicationId}&scope=bot+applications.commands&permissions=`,
    );
  });

  it('`sh deploy/migrate.sh` says what it needs when DATABASE_URL is missing (deploy.test.ts runs it for real)', () => {
    expect(() =>
      execFileSync('sh', [join(root, 'deploy/migrate.sh')], {
        env: { PATH: process.env.PATH },
        stdio: 'pipe',
      }),
    ).toThrow(/DATABASE_URL must be set/);
  });
});
