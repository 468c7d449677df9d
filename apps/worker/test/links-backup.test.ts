// `./run backup-links` / `./run restore-links`: player_links out of one database and into another, through the
// REST API with the worker's key, with more rows than PostgREST answers at once.
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalSupabase, startAppProcess, startLocalSupabase } from '@bridge/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = join(import.meta.dirname, '../src/links-backup-cli.ts');
let from: LocalSupabase;
let to: LocalSupabase;
let dir: string;
beforeAll(async () => {
  [from, to] = await Promise.all([startLocalSupabase(), startLocalSupabase()]);
  dir = await mkdtemp(join(tmpdir(), 'bridge-links-'));
}, 60_000);
afterAll(async () => {
  await Promise.allSettled([from?.stop(), to?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function run(sb: LocalSupabase, command: 'backup' | 'restore', file: string, key = sb.secretKey) {
  const proc = startAppProcess(
    cli,
    { SUPABASE_URL: sb.url, SUPABASE_SERVICE_ROLE_KEY: key },
    { args: [command, file] },
  );
  const code = await proc.exited;
  return {
    code,
    out: proc.lines.map((l) => String(l.raw ?? JSON.stringify(l))).join('\n'),
    err: proc.stderr.join(''),
  };
}

const LINKS = `select discord_id, faceit_id, faceit_nickname, verified_method, created_at, updated_at
  from player_links order by discord_id`;

describe('backup-links and restore-links', () => {
  it('round-trips every link, page after page, keeping when each was made; a second restore adds nothing', async () => {
    await from.query(
      `insert into player_links (discord_id, faceit_id, faceit_nickname, verified_method, created_at)
       select (100000000000000000 + g)::text, gen_random_uuid()::text, 'p' || g,
              case when g % 3 = 0 then 'nickname' else 'oauth' end, now() - g * interval '1 minute'
         from generate_series(1, 1203) g`,
    );
    const file = join(dir, 'links.json');
    const backup = await run(from, 'backup', file);
    expect(backup.code, backup.err).toBe(0);
    expect(backup.out).toBe(`backup-links: 1203 links written to ${file}`);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).count).toBe(1203);

    const restore = await run(to, 'restore', file, to.serviceRoleKey); // the legacy key works too
    expect(restore.code, restore.err).toBe(0);
    expect(restore.out).toBe('restore-links: 1203 added, 0 already there (kept as they are), 0 skipped');
    const norm = (rows: Record<string, unknown>[]) =>
      rows.map((r) => ({ ...r, created_at: String(r.created_at), updated_at: String(r.updated_at) }));
    expect(norm(await to.query(LINKS))).toEqual(norm(await from.query(LINKS)));

    expect((await run(to, 'restore', file)).out).toBe(
      'restore-links: 0 added, 1203 already there (kept as they are), 0 skipped',
    );
  });

  it('never overwrites: a FACEIT account someone else holds now is named and skipped, the rest restored', async () => {
    const file = join(dir, 'one.json');
    const [row] = await from.query<{ discord_id: string; faceit_id: string }>(
      'select discord_id, faceit_id from player_links order by discord_id limit 1',
    );
    const extra = randomUUID();
    await from.query(
      `insert into player_links (discord_id, faceit_id, faceit_nickname, verified_method) values ('999999999999999999', $1, 'extra', 'oauth')`,
      [extra],
    );
    await run(from, 'backup', file);
    const fresh = await startLocalSupabase();
    try {
      await fresh.query(
        `insert into player_links (discord_id, faceit_id, faceit_nickname, verified_method) values ('888888888888888888', $1, 'holder', 'oauth')`,
        [row!.faceit_id],
      );
      const { code, out } = await run(fresh, 'restore', file);
      expect(code).toBe(0);
      expect(out).toContain('restore-links: 1203 added, 0 already there (kept as they are), 1 skipped');
      expect(out).toContain(`skipped: Discord ${row!.discord_id} ↔ FACEIT `);
      const holder = await fresh.query('select discord_id from player_links where faceit_id = $1', [
        row!.faceit_id,
      ]);
      expect(holder).toEqual([{ discord_id: '888888888888888888' }]);
    } finally {
      await fresh.stop();
    }
  });

  it('refuses a file that is not a backup, and says what to set without the Supabase variables', async () => {
    const bad = await run(to, 'restore', join(dir, 'missing.json'));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/cannot read .*missing\.json/);
    const proc = startAppProcess(cli, {}, { args: ['backup', join(dir, 'x.json')] });
    expect(await proc.exited).toBe(1);
    expect(proc.stderr.join('')).toContain('set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY');
  });
});
