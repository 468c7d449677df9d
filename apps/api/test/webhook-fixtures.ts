/** What the webhook test files share: real FACEIT deliveries and one API per file, emptied after each test. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'vitest';
import { startTestApi, type TestApi } from './harness.ts';

const samples = join(import.meta.dirname, '../../../fixtures/faceit-samples');
export const ready = JSON.parse(
  readFileSync(join(samples, 'match_status_ready__nhamonin_faceit-statistics.json'), 'utf8'),
);
export const finished = JSON.parse(
  readFileSync(join(samples, 'match_status_finished__ubqm_botesee.json'), 'utf8'),
);

/** A real match_status_ready delivery turned into `event`, with fresh ids. */
export function delivery(event: string, overrides: Record<string, unknown> = {}) {
  return {
    ...structuredClone(ready),
    event,
    event_id: crypto.randomUUID(),
    transaction_id: crypto.randomUUID(),
    ...overrides,
  };
}

/** `api`: the real API, started once per file; after each test its jobs are drained and removed. */
export const apiTest = test.extend<{ $file: { fileApi: TestApi }; $test: { api: TestApi } }>({
  fileApi: [
    // biome-ignore lint/correctness/noEmptyPattern: vitest reads which fixtures a fixture needs from this pattern
    async ({}, use) => {
      const api = await startTestApi();
      await use(api);
      await api.stop();
    },
    { scope: 'file' },
  ],
  api: async ({ fileApi }, use) => {
    await use(fileApi);
    await fileApi.drained();
    await fileApi.queues.matches.obliterate({ force: true });
    await fileApi.queues.cleanup.obliterate({ force: true });
  },
});
