import { BOT_ALLOW } from '@bridge/core';
import type { Stack } from '@bridge/testbed';
import { describe, expect } from 'vitest';
import {
  deliveredJobId,
  matchChannels,
  seedLinkedPlayers,
  settledJob,
  stackTest,
  waitForChannels,
  withQueue,
} from './matches-helpers.ts';

// The sweep's Discord work follows what the bridge owns: servers with match channels every time, every other
// set-up server only in a slow pass (a page per sweep) that still goes round them all.
// SWEEP_INTERVAL_MS of 4 h: the pass covers every server once a day, so here one server per sweep.
const test = stackTest({
  workers: 1,
  workerEnv: { SWEEP_INTERVAL_MS: String(4 * 3600_000), BRIDGE_GUILDS: '*' },
});

const LIST = 'GET /guilds/:guild/channels';
const lists = (stack: Stack) => stack.discord.stats().byRoute[LIST] ?? 0;

/** Runs one sweep; answers how many guilds it looked at for orphans (its result says). */
async function sweep(stack: Stack, id: string): Promise<{ owned: number; slowPass: number }> {
  await withQueue(stack, 'maintenance', (q) => q.add('sweep', { reason: 'test' }, { jobId: id }));
  expect(await settledJob(stack, 'maintenance', id, 60_000)).toMatchObject({ state: 'completed' });
  return withQueue(stack, 'maintenance', async (q) => (await q.getJob(id))?.returnvalue.listed);
}

/** A server set up with /setup (settings, no match); `orphan`: a match channel the bridge left behind there. */
async function setUpServer(stack: Stack, name: string, orphan: boolean) {
  const g = stack.discord.seedGuild({
    name,
    channels: [
      { name: 'Matches', type: 'category' },
      ...(orphan
        ? [
            {
              name: 'match-deadbeef-faction1',
              type: 'voice' as const,
              parent: 'Matches',
              overwrites: [{ to: '@bot' as const, allow: String(BOT_ALLOW) }],
            },
          ]
        : []),
    ],
  });
  await stack.supabase.query('insert into guild_settings (guild_id, category_id) values ($1, $2)', [
    g.guildId,
    g.channels.Matches,
  ]);
  return g;
}

describe('sweep scope', () => {
  test('skips servers with no bridge state but the slow pass still finds an orphan in one', async ({
    stack,
  }) => {
    // The home server has a live match (bridge state): it is looked at by every sweep.
    const [a, b] = await seedLinkedPlayers(stack, 'scope', 2);
    const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [b!.faceitId] });
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await waitForChannels(stack, match.id);
    await settledJob(stack, 'matches', deliveredJobId(stack.faceit, match.id, 'match_status_ready'));
    const servers: { guildId: string; orphan: string | undefined }[] = [];
    for (let i = 0; i < 5; i++) {
      const g = await setUpServer(stack, `Set up ${i}`, i === 3);
      servers.push({
        guildId: g.guildId,
        orphan: (g.channels as Record<string, string>)['match-deadbeef-faction1'],
      });
    }
    const withOrphan = servers[3]!;
    const orphanThere = () =>
      stack.discord.state(withOrphan.guildId).channels.some((c) => c.id === withOrphan.orphan);
    expect(orphanThere()).toBe(true);

    // 6 servers with settings and one with a match: each sweep looks at the match's server and a page of one.
    const before = lists(stack);
    let sweeps = 0;
    for (; sweeps < 6 && orphanThere(); sweeps++) {
      // The page may be the match's server itself (counted once).
      const listed = await sweep(stack, `scope-${sweeps}`);
      expect(listed.owned).toBe(1);
      expect(listed.slowPass).toBeLessThanOrEqual(1);
    }
    expect(orphanThere()).toBe(false);
    // What Discord saw: at most two listings a sweep (the scheduled first sweep may add its own).
    expect(lists(stack) - before).toBeLessThanOrEqual(2 * sweeps + 6);
    // The match's own channels were never taken for orphans.
    expect(matchChannels(stack, match.id)).toHaveLength(2);
  });
});
