/**
 * `./run faceit-subscription`: which FACEIT webhook subscriptions this deployment needs for what its servers
 * follow — an Organizer subscription per organizer (hubs and championships resolved through the Data API), and
 * for `members` or FACEIT's matchmaking the FACEIT ids of every linked player, one per line, to paste into a
 * User subscription. Reads the worker's SUPABASE_* and FACEIT_API_* variables.
 */
import { createSupabase, workerConfigSchema } from '@bridge/core';
import { describePlan, subscriptionPlan } from './lib/faceit-preflight.ts';

const shape = workerConfigSchema.shape;
const url = shape.SUPABASE_URL.safeParse(process.env.SUPABASE_URL || undefined);
const key = shape.SUPABASE_SERVICE_ROLE_KEY.safeParse(process.env.SUPABASE_SERVICE_ROLE_KEY || undefined);
const apiKey = shape.FACEIT_API_KEY.safeParse(process.env.FACEIT_API_KEY || undefined);
if (!url.success || !key.success || !apiKey.success) {
  process.stderr.write(
    'set SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY and FACEIT_API_KEY (the environment or .env), as for the worker\n',
  );
  process.exit(1);
}
const apiUrl = shape.FACEIT_API_URL.parse(process.env.FACEIT_API_URL || undefined);
try {
  const plan = await subscriptionPlan(createSupabase(url.data, key.data), apiUrl, apiKey.data);
  process.stdout.write(`${describePlan(plan, { listIds: true }).join('\n')}\n`);
} catch (err) {
  process.stderr.write(`faceit-subscription: ${(err as Error).message}\n`);
  process.exit(1);
}
