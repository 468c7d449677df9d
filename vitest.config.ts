import { defineConfig } from 'vitest/config';
import SlowestFirst from './vitest.sequencer.ts';

// One run over every package, on a 2-core machine that other runs may be loading at the same time.
// - Integration tests start real PostgREST, Redis prefixes, emulators and app processes per file, and
//   spend most of their time waiting on them (a full run keeps the two cores ~60 % busy), so files run in
//   four forks, the slowest started first (vitest.sequencer.ts); the files that run 5 app processes at once
//   (ops-scale, and ops-shards with its 4 sharded worker copies) run last, side by side and apart from the
//   others, rather than competing with every other whole stack for the two cores (a shard lease renewed late
//   under that load is a handover the test did not ask for): ops-scale is mostly CPU, ops-shards mostly
//   waiting on leases and IDENTIFYs, and together they took 68 s against ~100 s one after the other (413 s
//   for the whole run against 465 s; ops-shards' longest rebalance gap 1.2 s against 0.3–0.7 s, its bound
//   5 s). Files of the main group share their fork's modules (isolate: false): each file imported
//   the test bed, the emulators and their dependencies again, a tenth of the run; what a file starts it stops
//   in its own hooks, and nothing in the suite mocks modules or mutates shared ones. A fourth fork: 465 and
//   489 s against 531 and 563 s with three, once the tests that raced the machine's load were fixed (an
//   earlier single comparison had it 7 s slower). ops-scale moved into the main group made the run slower
//   (572 s against 556 s), and the apps logging at info instead of debug saved nothing measurable (572 s).
// - Time limits are bounds, not expectations: every wait in a test is on a condition, so a limit far
//   above the usual time costs nothing when things work and only decides how long a real hang takes to
//   be reported. A test's own waits are shorter than its limit, so a failure names the condition.
const alone = ['apps/worker/test/ops-scale.test.ts', 'apps/worker/test/ops-shards.test.ts'];

const shared = {
  pool: 'forks',
  globalSetup: './vitest.global-setup.ts',
  testTimeout: 120_000,
  hookTimeout: 180_000,
  teardownTimeout: 60_000,
} as const;

export default defineConfig({
  test: {
    reporters: ['default', './vitest.summary-reporter.ts'],
    sequence: { sequencer: SlowestFirst },
    projects: [
      {
        test: {
          ...shared,
          name: 'main',
          include: ['{apps,packages}/*/{src,test}/**/*.test.ts'],
          exclude: ['**/node_modules/**', ...alone],
          maxWorkers: 4,
          isolate: false,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'alone',
          include: alone,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
