// A migration never breaks the previous release's workers: during an upgrade the database is migrated first
// and the old copies keep running until they are replaced. So the previous release (its commit, from
// release.json) runs here — its own API and worker, from git, with their own production dependencies —
// against a database with every migration of this checkout, and must still complete a match.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { type Stack, startStack, waitFor } from '@bridge/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedLinkedPlayers, waitForChannels, waitForNoChannels } from './matches-helpers.ts';

const root = join(import.meta.dirname, '../../..');
const release = JSON.parse(readFileSync(join(root, 'release.json'), 'utf8')) as {
  version: string;
  previous: { version: string; commit: string };
};

let dir: string;
let stack: Stack | undefined;

/** pnpm as ./run has it (.tools), else the one on the PATH. */
function pnpm(): string {
  const local = join(root, '.tools/pnpm/node_modules/.bin/pnpm');
  return existsSync(local) ? local : 'pnpm';
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), `bridge-release-${release.previous.version}-`));
  // The commit's files as they were (git archive: nothing to register or prune in this repository).
  const tar = execFileSync('git', ['archive', '--format=tar', release.previous.commit], {
    cwd: root,
    maxBuffer: 256 * 1024 * 1024,
  });
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  // Its own production dependencies, from its own lockfile (pnpm's store makes this quick).
  const install = spawnSync(
    pnpm(),
    [
      'install',
      '--prod',
      '--frozen-lockfile',
      '--filter',
      '@bridge/api',
      '--filter',
      '@bridge/worker',
      '--filter',
      '@bridge/core',
    ],
    {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${join(process.execPath, '..')}${delimiter}${process.env.PATH}` },
      timeout: 300_000,
    },
  );
  if (install.status !== 0) throw new Error(`pnpm install of ${release.previous.commit}: ${install.stderr}`);
  stack = await startStack({
    apis: 0,
    workers: 0,
    apiEntry: join(dir, 'apps/api/src/main.ts'),
    workerEntry: join(dir, 'apps/worker/src/main.ts'),
  });
  await stack.startApi();
  await stack.startWorker();
}, 420_000);

afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe(`the previous release (${release.previous.version}) against every migration of this one`, () => {
  it('completes a match: channels created, linked players moved in, back to the lobby and channels gone at the finish', async () => {
    const s = stack as Stack;
    const applied = await s.supabase.query<{ version: string }>(
      'select version from supabase_migrations.schema_migrations order by version',
    );
    const shipped = execFileSync('ls', [join(root, 'supabase/migrations')], { encoding: 'utf8' })
      .split('\n')
      .filter((f) => f.endsWith('.sql'))
      .map((f) => f.slice(0, 14));
    expect(applied.map((r) => r.version)).toEqual(shipped.sort());

    const [a, b] = await seedLinkedPlayers(s, 'prev', 2);
    s.discord.setVoice(s.guildId, a!.discordId, s.guild.channels.General!);
    s.discord.setVoice(s.guildId, b!.discordId, s.guild.channels.General!);
    const match = s.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [b!.faceitId] });
    await s.faceit.play(s.webhook, match.id, [
      'match_object_created',
      'match_status_configuring',
      'match_status_ready',
    ]);
    await waitForChannels(s, match.id, 90_000);
    const moved = await s.discord.waitForState(
      s.guildId,
      (st) => {
        const inTeam = (id: string) => {
          const ch = st.channels.find((c) => c.id === st.voiceStates[id]);
          return ch?.name.includes('-faction') ? ch.name : undefined;
        };
        const [ca, cb] = [inTeam(a!.discordId), inTeam(b!.discordId)];
        return ca && cb ? [ca, cb] : undefined;
      },
      90_000,
    );
    expect(moved[0]).toMatch(/faction1$/);
    expect(moved[1]).toMatch(/faction2$/);

    await s.faceit.play(s.webhook, match.id, ['match_status_finished']);
    await waitForNoChannels(s, match.id, 90_000);
    const lobby = s.guild.channels.Lobby!;
    await s.discord.waitForState(
      s.guildId,
      (st) =>
        st.voiceStates[a!.discordId] === lobby && st.voiceStates[b!.discordId] === lobby ? true : undefined,
      60_000,
    );
    // Its rows go with the channels (the clean-up's last step).
    await waitFor(
      async () =>
        (await s.supabase.query('select 1 from active_matches where match_id = $1', [match.id])).length === 0,
      { what: "the match's channel rows removed", timeoutMs: 60_000 },
    );
  }, 240_000);
});
