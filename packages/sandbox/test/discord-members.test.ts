import { ChannelType, type Client, PermissionFlagsBits } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type DiscordEmulator, startDiscordEmulator } from '../src/discord/index.ts';
import { loginClient, nextEvent } from '../src/discord/testing.ts';
import { apiError } from './discord-api-error.ts';

let emu: DiscordEmulator | undefined;
let client: Client<true> | undefined;

async function setup(botPermissions?: string) {
  emu = await startDiscordEmulator();
  const seed = emu.seedGuild({
    channels: [
      { name: 'Lobby', type: 'voice' },
      { name: 'Team 1', type: 'voice' },
    ],
    members: [{ username: 'alice' }, { username: 'bob' }],
    ...(botPermissions ? { botPermissions } : {}),
  });
  const alice = seed.members.alice;
  emu.setVoice(seed.guildId, alice, seed.channels.Lobby);
  client = await loginClient(emu);
  const guild = client.guilds.cache.get(seed.guildId);
  if (!guild) throw new Error('guild not cached');
  return { emu, seed, client, guild, alice, bob: seed.members.bob };
}

afterEach(async () => {
  await client?.destroy();
  await emu?.close();
  client = undefined;
  emu = undefined;
});

describe('discord emulator members and voice', () => {
  it('moves a member between voice channels and the client sees voiceStateUpdate', async () => {
    const { guild, seed, alice } = await setup();
    const team = seed.channels['Team 1'];
    const seen = nextEvent(
      client as Client,
      'voiceStateUpdate',
      (_o, n) => n.id === alice && n.channelId === team,
    );
    const member = await guild.members.fetch(alice);
    const returned = await member.voice.setChannel(team);
    expect(returned.id).toBe(alice);
    const [oldState, newState] = await seen;
    expect(oldState.channelId).toBe(seed.channels.Lobby);
    expect(newState.channelId).toBe(team);
    expect(emu?.state(seed.guildId).voiceStates).toEqual({ [alice]: team });

    const gone = nextEvent(
      client as Client,
      'voiceStateUpdate',
      (_o, n) => n.id === alice && n.channelId === null,
    );
    await member.voice.disconnect();
    await gone;
    expect(emu?.state(seed.guildId).voiceStates).toEqual({});
  });

  it('answers 40032 for a member who is not in voice', async () => {
    const { guild, seed, bob } = await setup();
    const err = await apiError(guild.members.edit(bob, { channel: seed.channels.Lobby }));
    expect(err.code).toBe(40032);
    expect(err.status).toBe(400);
    expect(err.message).toBe('Target user is not connected to voice.');
    expect(emu?.stats().errorsByCode['40032']).toBe(1);
  });

  it('answers 50013 when the bot lacks Move Members', async () => {
    const perms =
      PermissionFlagsBits.ViewChannel | PermissionFlagsBits.Connect | PermissionFlagsBits.ManageChannels;
    const { guild, seed, alice } = await setup(perms.toString());
    const err = await apiError(guild.members.edit(alice, { channel: seed.channels['Team 1'] }));
    expect(err.code).toBe(50013);
    expect(err.status).toBe(403);
    expect(emu?.state(seed.guildId).voiceStates[alice]).toBe(seed.channels.Lobby);
  });

  it('needs Connect in the target channel too: a private channel must let the bot in', async () => {
    const { guild, alice } = await setup();
    const hide = PermissionFlagsBits.ViewChannel | PermissionFlagsBits.Connect;
    const closed = await guild.channels.create({
      name: 'closed',
      type: ChannelType.GuildVoice,
      permissionOverwrites: [
        { id: guild.roles.everyone.id, deny: hide },
        { id: alice, allow: hide },
      ],
    });
    expect((await apiError(guild.members.edit(alice, { channel: closed.id }))).code).toBe(50013);
    const open = await guild.channels.create({
      name: 'private',
      type: ChannelType.GuildVoice,
      permissionOverwrites: [
        { id: guild.roles.everyone.id, deny: hide },
        { id: alice, allow: hide },
        { id: emu?.botUserId as string, allow: hide | PermissionFlagsBits.MoveMembers },
      ],
    });
    await guild.members.edit(alice, { channel: open.id });
    expect(emu?.state(guild.id).voiceStates[alice]).toBe(open.id);
  });

  it('reads members, roles and the guild over REST, with 10007 for an unknown member', async () => {
    const { guild, alice, bob, seed } = await setup();
    const fetched = await guild.members.fetch({ user: bob, force: true });
    expect(fetched.user.username).toBe('bob');
    const all = await guild.members.fetch(); // gateway op 8 → GUILD_MEMBERS_CHUNK
    expect(all.size).toBe(3);
    const list = await guild.members.list({ limit: 10 });
    expect([...list.keys()].sort()).toEqual([alice, bob, emu?.botUserId].sort());
    const roles = await guild.roles.fetch();
    expect(roles.has(seed.guildId)).toBe(true);
    expect(roles.has(seed.botRoleId)).toBe(true);
    const g = await client?.guilds.fetch({ guild: seed.guildId, force: true });
    expect(g?.name).toBe('Sandbox Guild');
    const err = await apiError(guild.members.fetch({ user: '123456789012345678', force: true }));
    expect(err.code).toBe(10007);
    expect(err.status).toBe(404);
  });
});
