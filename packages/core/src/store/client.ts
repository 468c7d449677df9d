import { createClient, type SupabaseClient } from '@supabase/supabase-js';

export type { SupabaseClient };

/** A server-side supabase-js client: service key, no session, no realtime use. */
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
