import type { Stack } from '@bridge/testbed';
import { describe, expect } from 'vitest';
import {
  deliveredJobId,
  matchChannels,
  matchRows,
  seedLinkedPlayers,
  settledJob,
  stackTest,
  waitFor,
  waitForChannels,
  waitForNoChannels,
  withQueue,
} from './matches-helpers.ts';

// Moves Discord refuses, and a copy that has not yet heard of a channel; one stack, two worker copies.
const test = stackTest({ workers: 2 });

const refused = {
  kind: 'status',
  status: 403,
  body: { message: 'Missing Permissions', code: 50013 },
} as const;
const memberRoute = (stack: Stack, userId: string) => `PATCH /guilds/${stack.guildId}/members/${userId}`;

const settled = (stack: Stack, queueName: 'matches' | 'cleanup' | 'maintenance', jobId: string) =>
  settledJob(stack, queueName, jobId, 30_000);

async function runSweep(stack: Stack, id: string) {
  await withQueue(stack, 'maintenance', (queue) => queue.add('sweep', { reason: 'test' }, { jobId: id }));
  return settled(stack, 'maintenance', id);
}

function logLines(stack: Stack, msg: string) {
  return stack.workers.flatMap((w) => w.lines.filter((l) => l.msg === msg));
}

type Player = { faceitId: string; discordId: string };

/** A match of `a` against `b` after `event`, with `a` (waiting in General) moved into faction1's channel. */
async function movedIn(
  stack: Stack,
  a: Player,
  b: Player,
  event: 'match_status_ready' | 'match_object_created',
) {
  const match = stack.faceit.seedMatch({ faction1: [a.faceitId], faction2: [b.faceitId] });
  stack.discord.setVoice(stack.guildId, a.discordId, stack.guild.channels.General!);
  await stack.faceit.play(stack.webhook, match.id, [event]);
  await waitForChannels(stack, match.id);
  const f1 = matchChannels(stack, match.id).find((ch) => ch.name.endsWith('faction1'))!;
  await stack.discord.waitForState(
    stack.guildId,
    (s) => (s.voiceStates[a.discordId] === f1.id ? true : undefined),
    60_000,
  );
  return { match, f1 };
}

async function moveRows(stack: Stack, matchId: string, discordId: string) {
  return stack.supabase.query('select 1 from match_moves where match_id = $1 and discord_id = $2', [
    matchId,
    discordId,
  ]);
}

describe('moves Discord refuses', () => {
  test('one refused move is one player’s problem: the others are moved, the claim is given back, the job succeeds', async ({
    stack,
  }) => {
    const [a, b, c] = await seedLinkedPlayers(stack, 'refuse', 3);
    const match = stack.faceit.seedMatch({ faction1: [a!.faceitId, c!.faceitId], faction2: [b!.faceitId] });
    for (const p of [a, b, c])
      stack.discord.setVoice(stack.guildId, p!.discordId, stack.guild.channels.General!);
    stack.discord.setFault({ route: memberRoute(stack, a!.discordId), ...refused });

    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    const job = await settled(stack, 'matches', deliveredJobId(stack.faceit, match.id, 'match_status_ready'));
    expect(job).toMatchObject({ state: 'completed' });
    const channels = matchChannels(stack, match.id);
    const f1 = channels.find((ch) => ch.name.endsWith('faction1'))!;
    const f2 = channels.find((ch) => ch.name.endsWith('faction2'))!;
    await stack.discord.waitForState(
      stack.guildId,
      (s) =>
        s.voiceStates[c!.discordId] === f1.id && s.voiceStates[b!.discordId] === f2.id ? true : undefined,
      60_000,
    );
    const voice = stack.discord.state(stack.guildId).voiceStates;
    expect(voice[a!.discordId]).toBe(stack.guild.channels.General);
    // The warning is written when Discord's refusal comes back, which may be after the others' moves. The
    // job tries the move, and so does the late-joiner look once the channels are live (it sees the player
    // outside their channel): whichever takes the move's claim first meets the refusal, each says so once.
    const refusedFor = (msg: string) => logLines(stack, msg).filter((l) => l.userId === a!.discordId);
    const paths = ['player not moved: Discord refused', 'late joiner not moved'];
    await waitFor(() => paths.some((msg) => refusedFor(msg).length > 0), { what: 'the refused move logged' });
    for (const msg of paths) expect(refusedFor(msg).length, msg).toBeLessThanOrEqual(1);
    const warned = paths.flatMap(refusedFor);
    for (const line of warned) {
      expect(String(line.err)).toMatch(/Move Members/);
      expect(Number(line.level)).toBe(40);
    }
    // The claim was given back: once the permission is fixed, reconnecting moves them in.
    await waitFor(async () => (await moveRows(stack, match.id, a!.discordId)).length === 0, {
      what: 'claim given back',
    });
    stack.discord.clearFaults();
    stack.discord.setVoice(stack.guildId, a!.discordId, null);
    stack.discord.setVoice(stack.guildId, a!.discordId, stack.guild.channels.General!);
    await stack.discord.waitForState(
      stack.guildId,
      (s) => (s.voiceStates[a!.discordId] === f1.id ? true : undefined),
      60_000,
    );
  });

  test('a refused lobby move still deletes the channel (the player is disconnected) and the rows', async ({
    stack,
  }) => {
    const [a, b] = await seedLinkedPlayers(stack, 'lobbyref', 2);
    const { match } = await movedIn(stack, a!, b!, 'match_status_ready');
    stack.discord.setFault({ route: memberRoute(stack, a!.discordId), ...refused });
    try {
      await stack.faceit.play(stack.webhook, match.id, ['match_status_finished']);
      const job = await settled(
        stack,
        'cleanup',
        deliveredJobId(stack.faceit, match.id, 'match_status_finished'),
      );
      expect(job).toMatchObject({ state: 'completed' });
      await waitForNoChannels(stack, match.id);
      expect(stack.discord.state(stack.guildId).voiceStates[a!.discordId]).toBeUndefined();
      expect(await matchRows(stack, match.id)).toHaveLength(0);
      expect(
        logLines(stack, 'member not moved to the lobby: Discord refused').some(
          (l) => l.userId === a!.discordId,
        ),
      ).toBe(true);
    } finally {
      stack.discord.clearFaults();
    }
  });

  test('the sweep cleans the channels of an ended match whose clean-up was cut short', async ({ stack }) => {
    const [a, b] = await seedLinkedPlayers(stack, 'cutshort', 2);
    const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [b!.faceitId] });
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await waitForChannels(stack, match.id);
    await waitFor(async () => (await matchRows(stack, match.id)).length === 2, { what: 'rows' });
    // The clean-up fails half-way: the match is marked ended, its channels and rows stay.
    stack.discord.setFault({ route: 'DELETE /channels/:channel', ...refused });
    try {
      await stack.faceit.play(stack.webhook, match.id, ['match_status_finished']);
      expect(
        await settled(stack, 'cleanup', deliveredJobId(stack.faceit, match.id, 'match_status_finished')),
      ).toMatchObject({
        state: 'failed',
      });
    } finally {
      stack.discord.clearFaults();
    }
    expect(matchChannels(stack, match.id)).toHaveLength(2);
    expect(await matchRows(stack, match.id)).toHaveLength(2);

    expect(await runSweep(stack, `sweep-cutshort-${match.id}`)).toMatchObject({ state: 'completed' });
    await waitForNoChannels(stack, match.id);
    expect(await matchRows(stack, match.id)).toHaveLength(0);
  });
});

describe('a copy that has not yet heard of the channel', () => {
  test('moves a late joiner into a channel another copy created (fetches it, retries once)', async ({
    stack,
  }) => {
    const [a, b] = await seedLinkedPlayers(stack, 'unseen', 2);
    const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [b!.faceitId] });
    // The CHANNEL_CREATE of the match's channels stays in flight for the whole test.
    stack.discord.setChannelCreateDelay(120_000);
    try {
      await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
      expect(
        await settled(stack, 'matches', deliveredJobId(stack.faceit, match.id, 'match_status_ready')),
      ).toMatchObject({
        state: 'completed',
      });
      await waitFor(async () => (await matchRows(stack, match.id)).length === 2, { what: 'rows' });
      const f1 = matchChannels(stack, match.id).find((ch) => ch.name.endsWith('faction1'))!;
      // Only the copy that created the channels knows them; stop it, so the other one must act.
      const creator = await waitFor(
        () =>
          stack.workers.find((w) =>
            w.lines.some((l) => l.msg === 'channel created' && l.channelId === f1.id),
          ),
        { what: "the creating copy's log line" },
      );
      await creator!.kill('SIGKILL');
      const other = stack.workers.find((w) => w !== creator)!;

      stack.discord.setVoice(stack.guildId, a!.discordId, stack.guild.channels.General!);
      // Moved in by the copy that had not seen the channel (the other is dead).
      await stack.discord.waitForState(
        stack.guildId,
        (s) => (s.voiceStates[a!.discordId] === f1.id ? true : undefined),
        60_000,
      );
      expect(other.child.exitCode).toBeNull();
    } finally {
      stack.discord.setChannelCreateDelay(50);
    }
  });
});

describe('without a lobby', () => {
  test('a substituted-out player is disconnected from the team channel', async ({ stack }) => {
    // One copy, configured without VC_LOBBY_CHANNEL_ID.
    for (const w of stack.workers)
      if (w.child.exitCode === null && w.child.signalCode === null) await w.kill('SIGTERM');
    const worker = await stack.startWorker({ VC_LOBBY_CHANNEL_ID: '' });
    const [a, b, c] = await seedLinkedPlayers(stack, 'nolobby', 3);
    const { match } = await movedIn(stack, a!, b!, 'match_object_created');
    stack.faceit.setRoster(match.id, 'faction1', [c!.faceitId]);
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
    await stack.discord.waitForState(
      stack.guildId,
      (s) => (a!.discordId in s.voiceStates ? undefined : true),
      60_000,
    );
    expect(worker.child.exitCode).toBeNull();
  });
});
