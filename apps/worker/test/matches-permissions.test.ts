import { deliveredJobId, type Stack, waitFor, withQueue } from '@bridge/testbed';
import { stackTest } from '@bridge/testbed/fixtures';
import { PermissionFlagsBits as F } from 'discord.js';
import { describe, expect } from 'vitest';
import {
  matchChannels,
  matchRows,
  seedLinkedPlayers,
  waitForChannels,
  waitForNoChannels,
} from './matches-helpers.ts';

/** The overwrite a member has in a channel of the emulator's state. */
const memberAllow = (stack: Stack, channelName: string, userId: string) =>
  BigInt(
    stack.discord
      .state(stack.guildId)
      .channels.find((c) => c.name === channelName)
      ?.permissionOverwrites.find((o) => o.id === userId)?.allow ?? -1,
  );

describe('a permission lost after start', () => {
  const test = stackTest({ workers: 1 });

  // No retry can fix a missing permission, so the job fails at once, saying what to fix. (A permission missing
  // at start is caught before the login: startup-preflight.test.ts.)
  test('fails the job on its first attempt with a message for the operator', async ({ stack }) => {
    // An operator denies the bot Manage Channels on the match category while the worker runs.
    const category = stack.guild.channels.Matches as string;
    const denied = await fetch(
      `${stack.discord.apiUrl}/v10/channels/${category}/permissions/${stack.discord.botUserId}`,
      {
        method: 'PUT',
        headers: { Authorization: `Bot ${stack.discord.botToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 1, allow: '0', deny: String(F.ManageChannels) }),
      },
    );
    expect(denied.status).toBe(204);
    const [a, b] = await seedLinkedPlayers(stack, 'perm', 2);
    const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [b!.faceitId] });
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await withQueue(stack, 'matches', async (queue) => {
      const jobId = deliveredJobId(stack.faceit, match.id, 'match_status_ready');
      const job = await waitFor(
        async () => {
          // Read the job again once it is failed: a snapshot taken before may predate the failure.
          const j = await queue.getJob(jobId);
          return (await j?.isFailed()) ? await queue.getJob(jobId) : undefined;
        },
        { what: 'job failed' },
      );
      expect(job.attemptsMade).toBe(1);
      expect(job.failedReason).toMatch(/Manage Channels/);
      expect(job.failedReason).toMatch(/50013/);
      expect(matchChannels(stack, match.id)).toHaveLength(0);
    });
  });
});

describe('a private match category', () => {
  const test = stackTest({ workers: 1, privateCategory: true });

  // Discord checks overwrite edits against the bot's permissions in the category: the bot's own overwrite
  // there (View, Connect, Speak, Move Members, Manage Channels) is what lets it re-apply a changed roster.
  test('creates the channels, updates their overwrites when a player links late, and cleans up', async ({
    stack,
  }) => {
    const [a, late, b] = await seedLinkedPlayers(stack, 'priv', 3);
    await stack.supabase.query('delete from player_links where discord_id = $1', [late!.discordId]);
    const match = stack.faceit.seedMatch({
      faction1: [a!.faceitId, late!.faceitId],
      faction2: [b!.faceitId],
    });
    await stack.faceit.play(stack.webhook, match.id, ['match_status_configuring']);
    await waitForChannels(stack, match.id);
    const faction1 = () =>
      stack.discord.state(stack.guildId).channels.find((c) => c.name.endsWith('-faction1'));
    expect(faction1()?.parentId).toBe(stack.guild.channels.Matches);
    expect(faction1()?.permissionOverwrites.map((o) => o.id)).not.toContain(late!.discordId);
    // The bot holds Use Voice Activity (from @everyone): players are granted it, so no push-to-talk.
    expect(memberAllow(stack, faction1()?.name ?? '', a!.discordId) & F.UseVAD).toBe(F.UseVAD);

    await stack.supabase.query(
      `insert into player_links (discord_id, faceit_id, faceit_nickname, verified_method) values ($1,$2,$3,'oauth')`,
      [late!.discordId, late!.faceitId, late!.nickname],
    );
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await stack.discord.waitForState(
      stack.guildId,
      () => (faction1()?.permissionOverwrites.some((o) => o.id === late!.discordId) ? true : undefined),
      30_000,
    );

    await stack.faceit.play(stack.webhook, match.id, ['match_status_finished']);
    await waitForNoChannels(stack, match.id);
    // Rows go right after their channels.
    await waitFor(async () => ((await matchRows(stack, match.id)).length === 0 ? true : undefined), {
      what: 'rows removed',
    });
  });
});

describe('a server whose @everyone lacks Use Voice Activity', () => {
  const everyone = F.ViewChannel | F.SendMessages | F.EmbedLinks | F.ReadMessageHistory | F.Connect | F.Speak;
  const test = stackTest({
    workers: 1,
    guild: { roles: [{ name: '@everyone', permissions: String(everyone) }] },
  });

  // Discord refuses a channel whose overwrites grant a bit the bot lacks in the server, so the bridge leaves
  // Use Voice Activity out (the channels are still made) and says at start what players lose.
  test('creates the team channels without it, and the worker says players will need push-to-talk', async ({
    stack,
  }) => {
    const worker = stack.workers[0]!;
    expect(worker.lines.find((l) => l.check === 'voice activity')?.msg).toMatch(/push-to-talk/);
    const [a, b] = await seedLinkedPlayers(stack, 'novad', 2);
    const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [b!.faceitId] });
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await waitForChannels(stack, match.id);
    const name = matchChannels(stack, match.id).find((c) => c.name.endsWith('-faction1'))?.name ?? '';
    expect(memberAllow(stack, name, a!.discordId)).toBe(F.ViewChannel | F.Connect | F.Speak);
  });
});
