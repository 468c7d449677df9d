import { defineConfig } from 'vitest/config';

// One run over every package. Integration tests start real PostgREST/Redis/emulators per file,
// so files run in a couple of forks only: the machine has 2 cores.
export default defineConfig({
  test: {
    include: ['{apps,packages}/*/{src,test}/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './vitest.summary-reporter.ts'],
  },
});
