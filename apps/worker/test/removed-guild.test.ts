// A server that removes the bot keeps its setup for GUILD_RETENTION_DAYS: a re-invite restores its settings,
// follows and server links; the sweep forgets them after. Through real discord.js against the emulator.
import { type Stack, startStack, waitFor, withQueue } from '@bridge/testbed';
import { PermissionFlagsBits as F } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let stack: Stack;
beforeAll(async () => {
  // No API: nothing here arrives by webhook or browser (an API process is ~2 s of CPU to start).
  stack = await startStack({ apis: 0, workerEnv: { BRIDGE_GUILDS: '*', GUILD_RETENTION_DAYS: '3' } });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

const HUB = '22222222-2222-4222-8222-222222222222';
const rows = async (guildId: string) => ({
  settings: (
    await stack.supabase.query(
      'select category_id, lobby_channel_id, link_policy from guild_settings where guild_id = $1',
      [guildId],
    )
  )[0],
  follows: (
    await stack.supabase.query(
      'select kind, target_id from guild_follows where guild_id = $1 order by kind',
      [guildId],
    )
  ).map((r) => `${r.kind}:${r.target_id}`),
});

function seedCommunity() {
  return stack.discord.seedGuild({
    name: 'Kick And Reinvite',
    channels: [
      { name: 'Matches', type: 'category' },
      { name: 'Lobby', type: 'voice' },
    ],
    members: [{ username: 'boss' }],
    botPermissions: String(
      F.ViewChannel | F.Connect | F.ManageChannels | F.ManageRoles | F.MoveMembers | F.Speak,
    ),
  });
}

async function run(guildId: string, user: string, subcommand: string, options: Record<string, string>) {
  const record = await stack.discord.invokeCommand({
    guildId,
    userId: user,
    name: 'setup',
    subcommand,
    options,
  });
  return (await record.waitForReply()).content;
}

describe('a server that removes the bot', () => {
  it('gets its settings and follows back when it re-invites the bot; the sweep forgets them after the grace period', async () => {
    const first = seedCommunity();
    const guildId = first.guildId;
    const boss = first.members.boss!;
    await waitFor(() => run(guildId, boss, 'follow', { kind: 'hub', id: HUB }).catch(() => null), {
      what: '/setup there',
    });
    await run(guildId, boss, 'channels', { category: first.channels.Matches!, lobby: first.channels.Lobby! });
    await run(guildId, boss, 'linking', { policy: 'nickname-allowed' });
    const before = await rows(guildId);
    expect(before.follows).toEqual([`hub:${HUB}`]);

    stack.discord.removeBot(guildId);
    await waitFor(async () => (await rows(guildId)).settings === undefined, {
      what: 'the settings taken out',
    });
    expect((await rows(guildId)).follows).toEqual([]);
    expect(
      await stack.supabase.query('select guild_id from removed_guilds where guild_id = $1', [guildId]),
    ).toHaveLength(1);

    // Re-invited (the same server: same id and channels): everything as it was.
    stack.discord.seedGuild({
      id: guildId,
      name: 'Kick And Reinvite',
      channels: [
        { id: first.channels.Matches!, name: 'Matches', type: 'category' },
        { id: first.channels.Lobby!, name: 'Lobby', type: 'voice' },
      ],
      members: [{ id: boss, username: 'boss' }],
    });
    await waitFor(async () => (await rows(guildId)).settings !== undefined, {
      what: 'the settings restored',
    });
    expect(await rows(guildId)).toEqual(before);
    expect(await stack.supabase.query('select 1 from removed_guilds where guild_id = $1', [guildId])).toEqual(
      [],
    );

    // Removed again and not back within GUILD_RETENTION_DAYS (3): the sweep forgets it.
    stack.discord.removeBot(guildId);
    await waitFor(
      async () =>
        (await stack.supabase.query('select 1 from removed_guilds where guild_id = $1', [guildId])).length ===
        1,
      {
        what: 'put aside again',
      },
    );
    await stack.supabase.query(
      `update removed_guilds set removed_at = now() - interval '4 days' where guild_id = $1`,
      [guildId],
    );
    await withQueue(stack, 'maintenance', async (queue) => {
      const job = await queue.add('sweep', { reason: 'test' }, { jobId: `sweep-test-${Date.now()}` });
      await waitFor(async () => (await job.isCompleted()) || (await job.isFailed()), {
        what: 'the sweep',
        timeoutMs: 60_000,
      });
      expect(await job.isCompleted(), (await queue.getJob(job.id ?? ''))?.failedReason).toBe(true);
    });
    expect(await stack.supabase.query('select 1 from removed_guilds where guild_id = $1', [guildId])).toEqual(
      [],
    );
  });
});
