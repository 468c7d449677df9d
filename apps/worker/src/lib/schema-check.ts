import { type SupabaseClient, schemaState, shippedMigrations } from '@bridge/core';
import type { Check } from '../discord/preflight.ts';

const FIX =
  'apply supabase/migrations before starting this release: `supabase db push`, or `sh deploy/migrate.sh` with DATABASE_URL (docs/deploy.md, "Upgrading")';

/**
 * Every migration this release ships is applied to the database (`./run preflight`, and the worker before it
 * takes jobs): new code against an old schema fails every job that reads what the migration adds.
 */
export async function schemaCheck(
  db: SupabaseClient,
  shipped: readonly string[] = shippedMigrations(),
): Promise<Check> {
  const name = 'database schema';
  try {
    const state = await schemaState(db, shipped);
    if (state.ok)
      return { name, ok: true, detail: `the ${shipped.length} migrations of this release are applied` };
    if ('unreachable' in state) {
      return {
        name,
        ok: false,
        detail: `cannot read the applied migrations: ${state.unreachable}`,
        fix: 'check SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY',
      };
    }
    const shown = state.missing.slice(-3).join(', ');
    const more = state.missing.length > 3 ? ` and ${state.missing.length - 3} older` : '';
    return { name, ok: false, detail: `${state.reason}; missing ${shown}${more}`, fix: FIX };
  } catch (err) {
    return {
      name,
      ok: false,
      detail: `cannot reach Supabase: ${(err as Error).message}`,
      fix: 'check SUPABASE_URL',
    };
  }
}
