import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SupabaseClient } from './client.ts';

/** supabase/migrations of this checkout or image (the worker image copies it): what this code needs applied. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../../supabase/migrations', import.meta.url));

/** The versions (`<yyyymmddHHMMSS>` of `<version>_<name>.sql`) shipped in `dir`, oldest first. */
export function shippedMigrations(dir: string = MIGRATIONS_DIR): string[] {
  return readdirSync(dir)
    .map((f) => /^(\d{14})_.+\.sql$/.exec(f)?.[1])
    .filter((v): v is string => v !== undefined)
    .sort();
}

export type SchemaState =
  | { ok: true; applied: number }
  | { ok: false; missing: string[]; reason: string }
  | { ok: false; unreachable: string };

/**
 * Which of `shipped` the database has not applied, as recorded by `supabase db push` or deploy/migrate.sh
 * (`applied_migrations()`). All of them, not only the newest: migrations from parallel work can land with
 * older versions than one already applied.
 */
export async function schemaState(db: SupabaseClient, shipped: readonly string[]): Promise<SchemaState> {
  const res = await db.rpc('applied_migrations');
  if (res.error) {
    // PostgREST: no such function (404 PGRST202), i.e. a database from before the function's migration.
    if (res.error.code === 'PGRST202' || res.status === 404) {
      return {
        ok: false,
        missing: [...shipped],
        reason: 'the database has no applied_migrations(): it predates this release',
      };
    }
    return { ok: false, unreachable: `${res.status} ${res.error.code ?? ''} ${res.error.message}`.trim() };
  }
  const applied = new Set((res.data as string[] | null) ?? []);
  const missing = shipped.filter((v) => !applied.has(v));
  if (missing.length === 0) return { ok: true, applied: applied.size };
  return {
    ok: false,
    missing,
    reason:
      applied.size === 0
        ? 'no migration is recorded in supabase_migrations.schema_migrations'
        : `${missing.length} of ${shipped.length} migrations not applied`,
  };
}
