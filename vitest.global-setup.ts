import { randomBytes } from 'node:crypto';
import { dropRunTemplates } from './packages/testbed/src/supabase.ts';

// One id per `vitest run`: the test databases of the run are copies of a template built for it
// (packages/testbed/src/supabase.ts), and the template goes when the run ends. Set before the test
// processes are forked, which inherit it. Both projects call this; the first one's id is kept.
export function setup(): void {
  process.env.BRIDGE_TEST_RUN ??= randomBytes(5).toString('hex');
}

export async function teardown(): Promise<void> {
  const run = process.env.BRIDGE_TEST_RUN;
  if (run) await dropRunTemplates(run);
}
