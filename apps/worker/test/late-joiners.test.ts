import type { AppProcess, Stack } from '@bridge/testbed';
import { describe, expect } from 'vitest';
import {
  deliveredJobId,
  matchChannels,
  seedLinkedPlayers,
  settledJob,
  stackTest,
  waitFor,
  waitForChannels,
} from './matches-helpers.ts';

// Late joiners are found in memory: a voice connect by anyone without a live team channel in that guild
// costs the worker no database round trip, and who plays where stays right as matches start, players link
// and matches end.
const test = stackTest({
  workers: 1,
  guild: { members: [{ username: 'bystander' }, { username: 'newbie' }] },
});

/** A counter of the worker's /metrics (summed over its label sets matching `labels`). */
async function metric(
  worker: AppProcess,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const port = worker.lines.find((l) => l.msg === 'metrics and health listening')?.metricsPort;
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      sum += Number(line.split(' ').at(-1));
  }
  return sum;
}

/**
 * Database round trips so far, but for those the test itself causes or a timer makes: the periodic re-read of
 * the live members, and the active-match count each /metrics scrape reads.
 */
const dbTrips = (stack: Stack) =>
  stack.supabase.restRequests((path) => path !== '/rpc/match_live_members' && path !== '/active_matches');

async function liveMatch(stack: Stack, tag: string) {
  const [a, b] = await seedLinkedPlayers(stack, tag, 2);
  const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [b!.faceitId] });
  await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
  await waitForChannels(stack, match.id);
  const f1 = matchChannels(stack, match.id).find((c) => c.name.endsWith('faction1'))!;
  return { a: a!, b: b!, match, f1 };
}

const inChannel = (stack: Stack, userId: string, channelId: string) =>
  stack.discord.waitForState(
    stack.guildId,
    (s) => (s.voiceStates[userId] === channelId ? true : undefined),
    60_000,
  );

describe('late joiners, from memory', () => {
  // First in the file: the looks it counts are its own players' (another test's match would add its own).
  test('a match that ends before its players are looked at asks Discord nothing more: the look finds it over', async ({
    stack,
  }) => {
    // In the lobby when the match starts: moved in by the job, then back to the lobby by the clean-up, at once.
    const [a, b] = await seedLinkedPlayers(stack, 'quick', 2);
    for (const p of [a!, b!]) stack.discord.setVoice(stack.guildId, p.discordId, stack.guild.channels.Lobby!);
    const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [b!.faceitId] });
    const worker = stack.workers[0] as AppProcess;
    const checks = () =>
      Promise.all(
        ['ended', 'in_place', 'read'].map((o) =>
          metric(worker, 'bridge_late_join_checks_total', { outcome: o }),
        ),
      );
    const [ended0 = 0, inPlace0 = 0, read0 = 0] = await checks();
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await settledJob(stack, 'matches', deliveredJobId(stack.faceit, match.id, 'match_status_ready'));
    stack.faceit.setStatus(match.id, 'FINISHED');
    await stack.faceit.play(stack.webhook, match.id, ['match_status_finished']);
    await settledJob(stack, 'cleanup', deliveredJobId(stack.faceit, match.id, 'match_status_finished'));
    expect(stack.discord.state(stack.guildId).voiceStates[a!.discordId]).toBe(stack.guild.channels.Lobby);
    const guildReads = () => stack.discord.stats().byRoute['GET /guilds/:guild'] ?? 0;
    const readsAfterCleanup = guildReads();
    // Each of the two players is looked at once, a little after their channel was recorded.
    const [ended, inPlace, read] = await waitFor(
      async () => {
        const now = await checks();
        return now[0]! - ended0 + (now[1]! - inPlace0) + (now[2]! - read0) >= 2 ? now : undefined;
      },
      { what: 'both players looked at' },
    );
    // Back in the lobby because the match is over, not late: no guild read, no move (before, the look took the
    // channels it was told of at the start, found them in the lobby and read the guild for each).
    expect({ read: read! - read0, guildReads: guildReads() - readsAfterCleanup }).toEqual({
      read: 0,
      guildReads: 0,
    });
    expect(ended! - ended0 + (inPlace! - inPlace0)).toBeGreaterThanOrEqual(2);
    expect(stack.discord.state(stack.guildId).voiceStates[a!.discordId]).toBe(stack.guild.channels.Lobby);
  });
  test('voice connects of members in no match cost no database round trip; a late joiner is still moved', async ({
    stack,
  }) => {
    const { a, f1, match } = await liveMatch(stack, 'cheap');
    await settledJob(stack, 'matches', deliveredJobId(stack.faceit, match.id, 'match_status_ready'));
    const worker = stack.workers[0] as AppProcess;
    const bystander = stack.guild.members.bystander as string;
    const seen = await metric(worker, 'bridge_voice_connects_total', { ours: 'no' });
    const before = dbTrips(stack);
    for (let i = 0; i < 20; i++) {
      stack.discord.setVoice(stack.guildId, bystander, stack.guild.channels.General!);
      stack.discord.setVoice(stack.guildId, bystander, null);
    }
    await waitFor(
      async () =>
        (await metric(worker, 'bridge_voice_connects_total', { ours: 'no' })) >= seen + 20 || undefined,
      { what: 'the worker saw the 20 connects' },
    );
    expect(dbTrips(stack) - before).toBe(0);
    // The player of the match is a late joiner: moved.
    stack.discord.setVoice(stack.guildId, a.discordId, stack.guild.channels.General!);
    await inChannel(stack, a.discordId, f1.id);
  });

  test('a player who links during their match is moved when they connect; after the end nobody is', async ({
    stack,
  }) => {
    const newbie = stack.guild.members.newbie as string;
    const late = stack.faceit.seedPlayer({ nickname: 'newbie_faceit' });
    const [b] = await seedLinkedPlayers(stack, 'linkmid', 1);
    const match = stack.faceit.seedMatch({ faction1: [late.id], faction2: [b!.faceitId] });
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await waitForChannels(stack, match.id);
    const f1 = matchChannels(stack, match.id).find((c) => c.name.endsWith('faction1'))!;
    // Linked only now, by nickname, through the command (as a player would).
    const record = await stack.discord.invokeCommand({
      guildId: stack.guildId,
      userId: newbie,
      name: 'register',
      options: { nickname: 'newbie_faceit' },
    });
    expect((await record.waitForReply()).content).toMatch(/newbie_faceit/);
    stack.discord.setVoice(stack.guildId, newbie, stack.guild.channels.General!);
    await inChannel(stack, newbie, f1.id);

    // The match ends: a member connecting afterwards stays where they are.
    await stack.faceit.play(stack.webhook, match.id, ['match_status_finished']);
    await waitFor(() => matchChannels(stack, match.id).length === 0 || undefined, { what: 'channels gone' });
    const worker = stack.workers[0] as AppProcess;
    const seen = await metric(worker, 'bridge_voice_connects_total', { ours: 'no' });
    stack.discord.setVoice(stack.guildId, b!.discordId, stack.guild.channels.General!);
    await waitFor(
      async () => (await metric(worker, 'bridge_voice_connects_total', { ours: 'no' })) > seen || undefined,
      { what: 'the connect seen, as not a late joiner' },
    );
    expect(stack.discord.state(stack.guildId).voiceStates[b!.discordId]).toBe(stack.guild.channels.General);
  });
});
