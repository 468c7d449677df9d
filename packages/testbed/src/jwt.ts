import { createHmac } from 'node:crypto';

const b64url = (input: Buffer | string): string => Buffer.from(input).toString('base64url');

/** Signs an HS256 JWT the way Supabase's legacy anon/service_role keys are signed. */
export function signJwt(claims: Record<string, unknown>, secret: string): string {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const signature = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
  return `${header}.${body}.${signature}`;
}

/** The two keys a Supabase project hands out, valid for ten years. */
export function supabaseKeys(secret: string): { anonKey: string; serviceRoleKey: string } {
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + 10 * 365 * 24 * 3600;
  return {
    anonKey: signJwt({ role: 'anon', iss: 'supabase', iat, exp }, secret),
    serviceRoleKey: signJwt({ role: 'service_role', iss: 'supabase', iat, exp }, secret),
  };
}
