// Prints fresh secrets for a docker-compose deployment (append to .env):
// the JWT secret PostgREST verifies with, the anon/service_role keys signed with it, a Postgres
// password and a webhook secret. `node scripts/gen-keys.ts >> .env`
import { randomBytes } from 'node:crypto';
import { supabaseKeys } from '../packages/testbed/src/jwt.ts';

const jwtSecret = randomBytes(32).toString('hex');
const { anonKey, serviceRoleKey } = supabaseKeys(jwtSecret);
const lines = {
  POSTGRES_PASSWORD: randomBytes(18).toString('base64url'),
  JWT_SECRET: jwtSecret,
  ANON_KEY: anonKey,
  SERVICE_ROLE_KEY: serviceRoleKey,
  FACEIT_WEBHOOK_SECRET: randomBytes(24).toString('base64url'),
  ADMIN_PASSWORD: randomBytes(12).toString('base64url'),
};
process.stdout.write(
  `${Object.entries(lines)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`,
);
