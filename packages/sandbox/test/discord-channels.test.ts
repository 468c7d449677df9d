import { ChannelType, type Client, GatewayIntentBits, OverwriteType, PermissionFlagsBits } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DiscordEmulator, startDiscordEmulator } from '../src/discord/index.ts';
import { loginClient, nextEvent } from '../src/discord/testing.ts';
import { apiError } from './discord-api-error.ts';

let emu: DiscordEmulator | undefined;
let client: Client<true> | undefined;

async function setup(opts: Parameters<typeof startDiscordEmulator>[0] = {}, botPermissions?: string) {
  // These tests name members by id from the member cache: the application has the GuildMembers intent.
  emu = await startDiscordEmulator({ privilegedIntents: { guildMembers: true }, ...opts });
  const seed = emu.seedGuild({
    channels: [
      { name: 'Matches', type: 'category' },
      { name: 'Lobby', type: 'voice' },
    ],
    members: [{ username: 'alice' }, { username: 'bob' }],
    ...(botPermissions ? { botPermissions } : {}),
  });
  client = await loginClient(emu, {
    rest: { globalRequestsPerSecond: 10_000 },
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates, GatewayIntentBits.GuildMembers],
  });
  const guild = client.guilds.cache.get(seed.guildId);
  if (!guild) throw new Error('guild not cached');
  return { emu, seed, client, guild };
}

afterEach(async () => {
  await client?.destroy();
  await emu?.close();
  client = undefined;
  emu = undefined;
});

const PRIVATE = PermissionFlagsBits.ViewChannel | PermissionFlagsBits.Connect;

describe('discord emulator channels', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    ctx = await setup();
  });

  it('creates a private voice channel under a category with permission overwrites', async () => {
    const { seed, guild } = ctx;
    const alice = seed.members.alice;
    const channel = await guild.channels.create({
      name: 'Team alice',
      type: ChannelType.GuildVoice,
      parent: seed.channels.Matches,
      permissionOverwrites: [
        { id: guild.roles.everyone.id, deny: PRIVATE },
        { id: alice, allow: PRIVATE },
      ],
    });
    expect(channel.type).toBe(ChannelType.GuildVoice);
    expect(channel.parentId).toBe(seed.channels.Matches);
    expect(channel.permissionOverwrites.cache.get(alice)?.type).toBe(OverwriteType.Member);
    expect(channel.permissionsFor(alice)?.has(PermissionFlagsBits.Connect)).toBe(true);
    expect(channel.permissionsFor(seed.members.bob)?.has(PermissionFlagsBits.Connect)).toBe(false);

    const state = ctx.emu.state(seed.guildId).channels.find((c) => c.id === channel.id);
    expect(state).toEqual({
      id: channel.id,
      name: 'Team alice',
      type: 'voice',
      parentId: seed.channels.Matches,
      position: expect.any(Number),
      createdBy: 'bot',
      permissionOverwrites: [
        { id: seed.guildId, type: 0, allow: '0', deny: PRIVATE.toString() },
        { id: alice, type: 1, allow: PRIVATE.toString(), deny: '0' },
      ],
    });
    expect(ctx.emu.state(seed.guildId).channels.find((c) => c.name === 'Lobby')?.createdBy).toBe('seed');
  });

  it('edits names, parents and overwrites, and deletes channels like Discord', async () => {
    const { seed, guild, emu } = ctx;
    const alice = seed.members.alice;
    const vc = await guild.channels.create({
      name: 'Team A',
      type: ChannelType.GuildVoice,
      parent: seed.channels.Matches,
    });
    await vc.setName('Team A (live)');
    await vc.permissionOverwrites.edit(alice, { ViewChannel: true, Connect: true });
    // The bot keeps its own access before hiding the channel from @everyone.
    await vc.permissionOverwrites.edit(emu.botUserId, { ViewChannel: true, ManageChannels: true });
    // Only an Administrator (or a bot already holding it through an overwrite) may put Manage Roles in an overwrite.
    expect((await apiError(vc.permissionOverwrites.edit(alice, { ManageRoles: true }))).code).toBe(50013);
    await vc.permissionOverwrites.edit(guild.roles.everyone, { ViewChannel: false });
    let state = emu.state(seed.guildId).channels.find((c) => c.id === vc.id);
    expect(state?.name).toBe('Team A (live)');
    expect(state?.permissionOverwrites.map((o) => o.id).sort()).toEqual(
      [alice, seed.guildId, emu.botUserId].sort(),
    );
    await vc.permissionOverwrites.delete(alice);
    state = emu.state(seed.guildId).channels.find((c) => c.id === vc.id);
    expect(state?.permissionOverwrites.map((o) => o.id).sort()).toEqual([seed.guildId, emu.botUserId].sort());

    // As on Discord, without its own overwrite the bot (no Administrator) cannot see or manage a hidden channel.
    const hiddenVc = await guild.channels.create({
      name: 'hidden',
      type: ChannelType.GuildVoice,
      permissionOverwrites: [{ id: guild.roles.everyone.id, deny: PermissionFlagsBits.ViewChannel }],
    });
    expect((await apiError(hiddenVc.setName('renamed'))).code).toBe(50001);
    expect((await apiError(hiddenVc.delete())).code).toBe(50001);

    // Deleting a voice channel disconnects its members.
    emu.setVoice(seed.guildId, alice, vc.id);
    const left = nextEvent(ctx.client, 'voiceStateUpdate', (_o, n) => n.id === alice && n.channelId === null);
    await vc.delete();
    await left;
    expect(emu.state(seed.guildId).voiceStates[alice]).toBeUndefined();

    // Deleting a non-empty category leaves its children without a parent.
    const lobby = seed.channels.Lobby;
    await guild.channels.edit(lobby, { parent: seed.channels.Matches });
    expect(emu.state(seed.guildId).channels.find((c) => c.id === lobby)?.parentId).toBe(
      seed.channels.Matches,
    );
    const orphaned = nextEvent(ctx.client, 'channelUpdate', (_o, n) => n.id === lobby);
    await guild.channels.delete(seed.channels.Matches);
    const [, updated] = await orphaned;
    expect('parentId' in updated && updated.parentId).toBeNull();
    expect(emu.state(seed.guildId).channels.find((c) => c.id === lobby)?.parentId).toBeNull();
  });

  it('answers 10003 for an unknown channel and 50035 for a parent that is not a category', async () => {
    const { guild, seed } = ctx;
    const unknown = await apiError(guild.channels.delete('123456789012345678'));
    expect(unknown.code).toBe(10003);
    expect(unknown.status).toBe(404);
    const badParent = await apiError(
      guild.channels.create({
        name: 'x',
        type: ChannelType.GuildVoice,
        parent: seed.channels.Lobby,
      }),
    );
    expect(badParent.code).toBe(50035);
    expect((badParent.rawError as { errors?: Record<string, unknown> }).errors).toHaveProperty('parent_id');
  });

  it('refuses the 51st channel in a category with 50035 CHANNEL_PARENT_MAX_CHANNELS', async () => {
    await ctx.emu.close();
    await ctx.client.destroy();
    ctx = await setup({ rateLimits: { perRoute: { limit: 1000, windowMs: 1000 }, global: 10_000 } });
    const g = ctx.guild;
    const cat = ctx.seed.channels.Matches;
    for (let i = 0; i < 50; i++)
      await g.channels.create({ name: `vc-${i}`, type: ChannelType.GuildVoice, parent: cat });
    const err = await apiError(
      g.channels.create({ name: 'vc-50', type: ChannelType.GuildVoice, parent: cat }),
    );
    expect(err.status).toBe(400);
    expect(err.code).toBe(50035);
    expect(err.rawError).toEqual({
      code: 50035,
      message: 'Invalid Form Body',
      errors: {
        parent_id: {
          _errors: [
            {
              code: 'CHANNEL_PARENT_MAX_CHANNELS',
              message: 'Maximum number of channels in category reached (50)',
            },
          ],
        },
      },
    });
    expect(err.message).toContain('Maximum number of channels in category reached (50)');
  });

  it('refuses the 501st channel in a guild with 30013', async () => {
    await ctx.emu.close();
    await ctx.client.destroy();
    ctx = await setup({ rateLimits: { perRoute: { limit: 10_000, windowMs: 1000 }, global: 10_000 } });
    const { guild, emu, seed } = ctx;
    // 2 seeded channels + 498 created = 500.
    const batch = 50;
    for (let done = 0; done < 498; done += batch) {
      const n = Math.min(batch, 498 - done);
      await Promise.all(
        Array.from({ length: n }, (_, i) =>
          guild.channels.create({ name: `c-${done + i}`, type: ChannelType.GuildVoice }),
        ),
      );
    }
    expect(emu.state(seed.guildId).channels).toHaveLength(500);
    const err = await apiError(guild.channels.create({ name: 'one-too-many', type: ChannelType.GuildVoice }));
    expect(err.status).toBe(400);
    expect(err.code).toBe(30013);
    expect(err.message).toBe('Maximum number of guild channels reached (500)');
  });

  it('answers 50013 without Manage Channels, and when overwrites need Manage Roles', async () => {
    await ctx.emu.close();
    await ctx.client.destroy();
    const onlyView = (PermissionFlagsBits.ViewChannel | PermissionFlagsBits.Connect).toString();
    ctx = await setup({}, onlyView);
    const noManage = await apiError(ctx.guild.channels.create({ name: 'x', type: ChannelType.GuildVoice }));
    expect(noManage.code).toBe(50013);
    expect(noManage.status).toBe(403);

    await ctx.emu.close();
    await ctx.client.destroy();
    const noRoles = (PermissionFlagsBits.ViewChannel | PermissionFlagsBits.ManageChannels).toString();
    ctx = await setup({}, noRoles);
    const err = await apiError(
      ctx.guild.channels.create({
        name: 'private',
        type: ChannelType.GuildVoice,
        permissionOverwrites: [{ id: ctx.guild.roles.everyone.id, deny: PermissionFlagsBits.ViewChannel }],
      }),
    );
    expect(err.code).toBe(50013);
    const plain = await ctx.guild.channels.create({ name: 'plain', type: ChannelType.GuildVoice });
    expect(plain.id).toMatch(/^\d{17,20}$/);
  });
});

describe('discord emulator eventual consistency', () => {
  it('dispatches CHANNEL_CREATE after the REST reply, so another session learns of the channel later', async () => {
    const { emu, seed, guild } = await setup({ channelCreateDelayMs: 300 });
    const other = await loginClient(emu);
    try {
      const otherGuild = other.guilds.cache.get(seed.guildId);
      const seen = nextEvent(other, 'channelCreate', (c) => c.name === 'late-news');
      const updated = nextEvent(other, 'channelUpdate', (_o, c) => c.id === created.id);
      const repliedAt = { t: 0 };
      const created = await guild.channels.create({
        name: 'late-news',
        type: ChannelType.GuildVoice,
        parent: seed.channels.Matches,
      });
      repliedAt.t = Date.now();
      // The creator has it from the REST reply; the other session does not yet.
      expect(guild.channels.cache.has(created.id)).toBe(true);
      expect(otherGuild?.channels.cache.has(created.id)).toBe(false);
      expect(emu.state(seed.guildId).channels.some((c) => c.id === created.id)).toBe(true);
      // An edit made before the CHANNEL_CREATE went out is dispatched after it, in order.
      await created.setName('late-news-2');
      // Other events are not held back: a voice join emitted now arrives before the CHANNEL_CREATE.
      const alice = seed.members.alice as string;
      const joined = nextEvent(other, 'voiceStateUpdate', (_o, n) => n.id === alice);
      emu.setVoice(seed.guildId, alice, seed.channels.Lobby as string);
      await joined;
      expect(otherGuild?.channels.cache.has(created.id)).toBe(false);
      const [channel] = await seen;
      expect(Date.now() - repliedAt.t).toBeGreaterThanOrEqual(250);
      expect(channel.id).toBe(created.id);
      const [, after] = await updated;
      expect('name' in after && after.name).toBe('late-news-2');
      expect(otherGuild?.channels.cache.get(created.id)?.name).toBe('late-news-2');

      // The delay is configurable at run time; with 0 the event is queued before the reply is written.
      emu.setChannelCreateDelay(0);
      const quick = nextEvent(other, 'channelCreate', (c) => c.name === 'quick');
      const q = await guild.channels.create({ name: 'quick', type: ChannelType.GuildVoice });
      expect((await quick)[0].id).toBe(q.id);
    } finally {
      await other.destroy();
    }
  });

  it('has a small CHANNEL_CREATE delay by default', async () => {
    const { emu, seed, guild } = await setup();
    const other = await loginClient(emu);
    try {
      const seen = nextEvent(other, 'channelCreate', (c) => c.name === 'default-delay');
      const created = await guild.channels.create({ name: 'default-delay', type: ChannelType.GuildVoice });
      expect(other.guilds.cache.get(seed.guildId)?.channels.cache.has(created.id)).toBe(false);
      expect((await seen)[0].id).toBe(created.id);
    } finally {
      await other.destroy();
    }
  });
});
