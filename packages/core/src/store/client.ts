import { createClient, type SupabaseClient } from '@supabase/supabase-js';

export type { SupabaseClient };

/**
 * Headers for a direct call to Supabase's REST API with a server-side key. A secret key (`sb_secret_…`) is
 * not a JWT: it goes in `apikey` only, as Supabase's docs say (the gateway sends PostgREST the JWT it stands
 * for). A legacy service_role key (a JWT) goes in both, as supabase-js sends it.
 */
export function supabaseRestHeaders(key: string): Record<string, string> {
  return key.startsWith('sb_') ? { apikey: key } : { apikey: key, Authorization: `Bearer ${key}` };
}

/**
 * What kind of Supabase key `key` is, for a check that tells an operator they pasted the wrong one: the
 * publishable or anon key reads nothing here (RLS, no grants), only the secret or service_role key works.
 */
export function supabaseKeyKind(key: string): 'secret' | 'publishable' | 'service_role' | 'anon' | 'unknown' {
  if (key.startsWith('sb_secret_')) return 'secret';
  if (key.startsWith('sb_publishable_')) return 'publishable';
  const [, payload] = key.split('.');
  try {
    const role = (JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as { role?: unknown })
      .role;
    if (role === 'service_role' || role === 'anon') return role;
  } catch {}
  return 'unknown';
}

/**
 * A server-side supabase-js client: service key, no session, no realtime use. Either key form works: the
 * secret key (`sb_secret_…`) or the legacy service_role JWT (supabase-js sends both in `apikey` and
 * `Authorization`, and Supabase's gateway swaps an `sb_` bearer for the JWT it stands for).
 */
export function createSupabase(url: string, serviceRoleKey: string): SupabaseClient {
  return createClient(url, serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
}

/** Thrown by stores when PostgREST answers an error; keeps the Postgres/PostgREST code. */
export class StoreError extends Error {
  readonly code: string | undefined;
  constructor(op: string, err: { message: string; code?: string; details?: string | null }) {
    super(`${op}: ${err.message}${err.details ? ` (${err.details})` : ''}`);
    this.name = 'StoreError';
    this.code = err.code;
  }
}

/** Unwraps a supabase-js result: the data, or a StoreError carrying PostgREST's code. */
export function check<T>(
  op: string,
  res: { data: unknown; error: { message: string; code?: string; details?: string | null } | null },
): T {
  if (res.error) throw new StoreError(op, res.error);
  return res.data as T;
}

/** What every store shares: the client, and one way to call a SQL function. */
export abstract class Store {
  readonly db: SupabaseClient;
  constructor(db: SupabaseClient) {
    this.db = db;
  }

  /** Calls SQL function `fn` with `args`: its answer, or a StoreError named after the function. */
  protected async rpc<T = unknown>(fn: string, args?: Record<string, unknown>): Promise<T> {
    return check<T>(fn, await this.db.rpc(fn, args));
  }
}
