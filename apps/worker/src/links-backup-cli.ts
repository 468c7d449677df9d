/**
 * `./run backup-links <file>` / `./run restore-links <file>`: the one table players cannot recreate
 * (player_links: who is whom, some proven by signing in with FACEIT), through Supabase's REST API with the
 * worker's SUPABASE_URL and key — no database password or psql needed, hosted or not. Everything else is
 * rebuilt by the bridge (matches, channels) or set up again in Discord; a whole-database backup is
 * pg_dump's job (docs/deploy.md, "Backups").
 * The restore adds what is missing and never overwrites: a link already there stays, and a FACEIT account
 * held by someone else now is reported and skipped.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSupabase, StoreError, workerConfigSchema } from '@bridge/core';

interface LinkRow {
  discord_id: string;
  faceit_id: string;
  faceit_nickname: string;
  verified_method: string;
  created_at: string;
  updated_at: string;
}
const PAGE = 500; // below PostgREST's max-rows (1000 in Supabase's default)

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const [command, file] = process.argv.slice(2);
if ((command !== 'backup' && command !== 'restore') || !file) {
  fail('usage: ./run backup-links <file>   |   ./run restore-links <file>');
}
const shape = workerConfigSchema.shape;
const url = shape.SUPABASE_URL.safeParse(process.env.SUPABASE_URL || undefined);
const key = shape.SUPABASE_SERVICE_ROLE_KEY.safeParse(process.env.SUPABASE_SERVICE_ROLE_KEY || undefined);
if (!url.success || !key.success) {
  fail('set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY (the environment or .env), as for the worker');
}
const db = createSupabase(url.data, key.data);
const path = resolve(file);

if (command === 'backup') {
  const rows: LinkRow[] = [];
  for (let from = 0; ; from += PAGE) {
    const page = await db
      .from('player_links')
      .select('discord_id, faceit_id, faceit_nickname, verified_method, created_at, updated_at')
      .order('discord_id')
      .range(from, from + PAGE - 1);
    if (page.error) fail(`reading player_links: ${new StoreError('backup', page.error).message}`);
    rows.push(...(page.data as LinkRow[]));
    if (page.data.length < PAGE) break;
  }
  const backup = { table: 'player_links', exportedAt: new Date().toISOString(), count: rows.length, rows };
  // Owner-only: the file pairs Discord and FACEIT accounts.
  writeFileSync(path, `${JSON.stringify(backup, null, 1)}\n`, { mode: 0o600 });
  process.stdout.write(`backup-links: ${rows.length} links written to ${path}\n`);
} else {
  let backup: { table?: string; rows?: LinkRow[] };
  try {
    backup = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    fail(`cannot read ${path}: ${(err as Error).message}`);
  }
  if (backup.table !== 'player_links' || !Array.isArray(backup.rows)) {
    fail(`${path} is not a backup-links file (no player_links rows)`);
  }
  let added = 0;
  let present = 0;
  const conflicts: LinkRow[] = [];
  const insert = (rows: LinkRow[]) =>
    db
      .from('player_links')
      .upsert(rows, { onConflict: 'discord_id', ignoreDuplicates: true })
      .select('discord_id');
  for (let i = 0; i < backup.rows.length; i += PAGE) {
    const batch = backup.rows.slice(i, i + PAGE);
    const res = await insert(batch);
    if (!res.error) {
      added += res.data.length;
      present += batch.length - res.data.length;
      continue;
    }
    // 23505 on faceit_id: an account someone else holds now. One by one, to keep every other row.
    if (res.error.code !== '23505')
      fail(`writing player_links: ${new StoreError('restore', res.error).message}`);
    for (const row of batch) {
      const one = await insert([row]);
      if (one.error?.code === '23505') conflicts.push(row);
      else if (one.error) fail(`writing player_links: ${new StoreError('restore', one.error).message}`);
      else if (one.data.length === 1) added++;
      else present++;
    }
  }
  process.stdout.write(
    `restore-links: ${added} added, ${present} already there (kept as they are), ${conflicts.length} skipped\n`,
  );
  for (const c of conflicts) {
    process.stdout.write(
      `  skipped: Discord ${c.discord_id} ↔ FACEIT ${c.faceit_nickname} (${c.faceit_id}): that FACEIT account is linked to someone else now\n`,
    );
  }
}
