import type { AppProcess } from '@bridge/testbed';
import { describe, expect } from 'vitest';
import {
  matchChannels,
  matchRows,
  seedLinkedPlayers,
  stackTest,
  waitFor,
  waitForChannels,
  withQueue,
} from './matches-helpers.ts';

// The sweep against a match starting while it runs. A stack of its own: the match's two creates must not
// wait on a create bucket that other tests emptied (the race needs the build to finish within the listing).
const test = stackTest({ workers: 2 });

const LISTING = 'GET /guilds/:guild/channels';
const SWEEP_ID = 'sweep-test-race';

describe('the sweep and a match starting meanwhile', () => {
  test('a channel created while the sweep lists the guild is not taken for an orphan', async ({ stack }) => {
    const [a, b] = await seedLinkedPlayers(stack, 'swrace', 2);
    const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [b!.faceitId] });
    // Discord holds the sweep's listing until the match is built: the match starts after the sweep asked, and
    // its channels are created and recorded while the listing is on its way (seen in a burst benchmark: the
    // sweep deleted a channel a job had just made).
    // The sweep runs on one copy and the match on the other: within a copy, the match's own read of the guild
    // would queue behind the sweep's listing (discord.js sends one request at a time per route and guild).
    // So the other copy is held still (SIGSTOP) while the sweep is taken, and the sweep's copy while the match
    // is: long enough that the webhook's intake entry, handed to the stopped copy, is taken over by the other
    // (seconds), and the stopped copy's leases may lapse meanwhile, as a frozen process's would.
    const [sweeper, builder] = stack.workers as [AppProcess, AppProcess];
    // Only the first listing (the sweep's): the match job reads the guild at full speed.
    const hold = stack.discord.holdRequests(LISTING, 1);
    let built: string[] = [];
    try {
      await withQueue(stack, 'maintenance', async (queue) => {
        builder.child.kill('SIGSTOP');
        try {
          await queue.add('sweep', { reason: 'test' }, { jobId: SWEEP_ID });
          await waitFor(() => hold.waiting === 1 || undefined, { what: 'the sweep listing the guild' });
        } finally {
          sweeper.child.kill('SIGSTOP');
          builder.child.kill('SIGCONT');
        }
        await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
        await waitForChannels(stack, match.id);
        await waitFor(async () => (await matchRows(stack, match.id)).length === 2, { what: 'rows' });
        built = matchChannels(stack, match.id).map((c) => c.id);
        // The race this test is about took place: the sweep's listing is answered only now, after the build.
        expect(hold.waiting).toBe(1);
        hold.release();
        sweeper.child.kill('SIGCONT');
        // The sweep's copy finishes it (the job may have been run again meanwhile by the other copy, which
        // took it for stalled: that run's listing came after the build).
        await waitFor(() => sweeper.lines.some((l) => l.msg === 'sweep looked for orphans'), {
          what: "the sweep's copy done looking for orphans",
          timeoutMs: 60_000,
        });
        await waitFor(async () => (await queue.getJob(SWEEP_ID))?.isCompleted(), {
          what: 'sweep done',
          timeoutMs: 60_000,
        });
      });
    } finally {
      hold.release();
      for (const w of stack.workers) w.child.kill('SIGCONT');
    }
    // Both channels are still there, the very ones the match job made.
    expect(built).toHaveLength(2);
    expect(matchChannels(stack, match.id).map((c) => c.id)).toEqual(built);
  });
});
