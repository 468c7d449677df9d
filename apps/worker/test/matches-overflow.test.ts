import { describe, expect } from 'vitest';
import {
  matchRows,
  seedLinkedPlayers,
  stackTest,
  waitFor,
  waitForChannels,
  waitForNoChannels,
} from './matches-helpers.ts';

// A category holding 2 channels (Discord's real limit is 50) so that overflow happens fast.
const test = stackTest({ workers: 1, discord: { limits: { channelsPerCategory: 2 } } });

describe('a full category', () => {
  test('spills into an overflow category, which is removed once empty', async ({ stack }) => {
    const matches = [];
    for (const tag of ['ofa', 'ofb']) {
      const [a, b] = await seedLinkedPlayers(stack, tag, 2);
      const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [b!.faceitId] });
      await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
      await waitForChannels(stack, match.id);
      matches.push(match);
    }
    const state = stack.discord.state(stack.guildId);
    const overflow = state.channels.find((c) => c.type === 'category' && c.name === 'Matches 2');
    expect(overflow).toBeDefined();
    expect(overflow?.createdBy).toBe('bot');
    expect(state.channels.filter((c) => c.parentId === stack.guild.channels.Matches)).toHaveLength(2);
    expect(state.channels.filter((c) => c.parentId === overflow?.id)).toHaveLength(2);

    for (const match of matches) {
      await stack.faceit.play(stack.webhook, match.id, ['match_status_finished']);
      await waitForNoChannels(stack, match.id);
      await waitFor(async () => (await matchRows(stack, match.id)).length === 0, { what: 'rows removed' });
    }
    await stack.discord.waitForState(stack.guildId, (s) =>
      s.channels.some((c) => c.name === 'Matches 2') ? undefined : true,
    );
    expect(
      stack.discord.state(stack.guildId).channels.some((c) => c.id === stack.guild.channels.Matches),
    ).toBe(true);
  });
});
