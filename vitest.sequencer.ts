import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take longest (measured with `./run test`, whose report gives each file's time), started
 * first: on a fresh clone vitest has no timings of its own and starts the largest files first, which left the
 * slowest ones to finish alone at the end while the other forks idled. Longest first is what keeps every fork
 * busy to the end. The listed files go first in every run; the others keep vitest's order (its own timings
 * when a local run has them, else the largest first). A file missing here only starts later.
 */
const SLOWEST_FIRST = [
  'apps/api/test/callback.test.ts',
  'apps/worker/test/matches-championship.test.ts',
  'apps/worker/test/chaos.test.ts',
  'apps/worker/test/matches-faults.test.ts',
  'apps/worker/test/level-roles.test.ts',
  'apps/worker/test/matches-records.test.ts',
  'packages/testbed/test/ctrl-c.test.ts',
  'packages/testbed/test/deploy.test.ts',
  'apps/worker/test/match-cards.test.ts',
  'apps/worker/test/setup-commands.test.ts',
  'apps/worker/test/multi-guild.test.ts',
  'apps/worker/test/link-commands.test.ts',
  'apps/worker/test/matches-lifecycle.test.ts',
  'apps/worker/test/matches-moves.test.ts',
  'apps/worker/test/matches-ratelimit.test.ts',
  'apps/worker/test/trust-between-servers.test.ts',
  'apps/worker/test/help-and-clear.test.ts',
  'apps/worker/test/gateway-shards.test.ts',
  'apps/worker/test/command-limits.test.ts',
  'apps/worker/test/sweep-race.test.ts',
  'apps/worker/test/matches-overflow.test.ts',
];

export default class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const i = SLOWEST_FIRST.findIndex((path) => spec.moduleId.endsWith(path));
      return i < 0 ? SLOWEST_FIRST.length : i;
    };
    // Stable: within the same project and group order, the listed files first, the rest as vitest had them.
    return sorted
      .map((spec, i) => ({ spec, i }))
      .sort((a, b) => {
        const group = a.spec.project.config.sequence.groupOrder - b.spec.project.config.sequence.groupOrder;
        return group || rank(a.spec) - rank(b.spec) || a.i - b.i;
      })
      .map(({ spec }) => spec);
  }
}
