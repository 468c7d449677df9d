import { describe, expect } from 'vitest';
import {
  failedJobs,
  matchRows,
  seedLinkedPlayers,
  shortId,
  stackTest,
  sweepNow,
  waitFor,
  waitForChannels,
  waitForNoChannels,
} from './matches-helpers.ts';

// A category holding 2 channels (Discord's real limit is 50) so that overflow happens fast.
const CREATE = 'POST /guilds/:guild/channels';
const OVERFLOW_FAST = { workers: 1, discord: { limits: { channelsPerCategory: 2 } } };

describe('a full category', () => {
  const test = stackTest(OVERFLOW_FAST);
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

describe('an overflow category being filled', () => {
  // A stack of its own: the first test's reads spent the guild's channel-listing bucket (10 per 10 s).
  const test = stackTest(OVERFLOW_FAST);
  // A clean-up (the sweep here, or another match's end) that finds an overflow category empty must not delete
  // it while a build is about to put its channel there: Discord would move that channel to the top level, or
  // refuse it (the category is gone) and the match would wait for a retry.
  test('survives a clean-up that finds it empty, survives a clean-up that finds it empty', async ({
    stack,
  }) => {
    const build = async (tag: string) => {
      const [a, b] = await seedLinkedPlayers(stack, tag, 2);
      const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [b!.faceitId] });
      await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
      return match;
    };
    await waitForChannels(stack, (await build('fla')).id); // the base category is full now
    const match = await build('flb');
    const overflowId = await stack.discord.waitForState(
      stack.guildId,
      (s) => s.channels.find((c) => c.type === 'category' && c.name === 'Matches 2')?.id,
    );
    // Its first channel's create, which follows the category's, takes seconds: the category stands empty
    // meanwhile, and the sweep reads the guild then (its listing is the next one).
    stack.discord.setLatency(CREATE, 8000);
    const listings = () => stack.discord.stats().byRoute['GET /guilds/:guild/channels'] ?? 0;
    const before = listings();
    const sweep = sweepNow(stack);
    await waitFor(() => listings() > before || undefined, { what: "the sweep's listing" });
    stack.discord.setLatency(CREATE, 0);
    await sweep;
    await waitForChannels(stack, match.id);

    const channels = stack.discord.state(stack.guildId).channels;
    expect(channels.find((c) => c.id === overflowId)).toBeDefined();
    const placed = channels.filter((c) => c.name.startsWith(`match-${shortId(match.id)}-`));
    expect(placed.map((c) => c.parentId)).toEqual([overflowId, overflowId]);
    expect(await failedJobs(stack)).toBe(0);
  });
});
