import { ChannelType, type Client, GatewayIntentBits } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type DiscordEmulator, type GuildSeed, startDiscordEmulator } from '../src/discord/index.ts';
import { loginClient, nextEvent } from '../src/discord/testing.ts';

let emu: DiscordEmulator;
let seed: GuildSeed;
const clients: Client[] = [];

async function waitForGuild(client: Client, guildId: string): Promise<void> {
  if (!client.guilds.cache.has(guildId)) await nextEvent(client, 'guildCreate', (g) => g.id === guildId);
}

// These tests look at the member list, so the application has the GuildMembers intent enabled.
const MEMBER_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildVoiceStates,
  GatewayIntentBits.GuildMembers,
];

async function login(opts: Parameters<typeof loginClient>[1] = {}): Promise<Client<true>> {
  const c = await loginClient(emu, { intents: MEMBER_INTENTS, ...opts });
  clients.push(c);
  return c;
}

beforeEach(async () => {
  emu = await startDiscordEmulator({ privilegedIntents: { guildMembers: true } });
  seed = emu.seedGuild({
    name: 'Bridge Test',
    roles: [{ name: 'Players' }],
    channels: [
      { name: 'Matches', type: 'category' },
      { name: 'Lobby', type: 'voice' },
      { name: 'general', type: 'text' },
    ],
    members: [{ username: 'alice', roles: ['Players'] }, { username: 'bob' }, { username: 'carol' }],
  });
  emu.setVoice(seed.guildId, seed.members.alice as string, seed.channels.Lobby as string);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await emu.close();
});

describe('discord emulator gateway', () => {
  it('logs in and caches the guild, channels, roles, members and voice states', async () => {
    const client = await login();
    expect(client.user.id).toBe(emu.botUserId);
    expect(client.application?.id).toBe(emu.applicationId);
    expect(emu.sessions()).toBe(1);
    const guild = client.guilds.cache.get(seed.guildId);
    expect(guild?.available).toBe(true);
    expect(guild?.name).toBe('Bridge Test');
    expect(guild?.channels.cache.get(seed.channels.Lobby as string)?.type).toBe(ChannelType.GuildVoice);
    expect(guild?.channels.cache.get(seed.channels.Matches as string)?.type).toBe(ChannelType.GuildCategory);
    expect(guild?.roles.everyone.id).toBe(seed.guildId);
    expect(guild?.members.me?.id).toBe(emu.botUserId);
    expect(guild?.members.cache.size).toBe(4);
    expect(guild?.memberCount).toBe(4);
    const lobby = guild?.channels.cache.get(seed.channels.Lobby as string);
    expect(lobby?.isVoiceBased() && [...lobby.members.keys()]).toEqual([seed.members.alice]);
    expect(guild?.members.me?.permissions.has('MoveMembers')).toBe(true);
    expect(guild?.members.me?.permissions.has('Administrator')).toBe(false);
  });

  it('honours intents: no voice states without GuildVoiceStates, few members without GuildMembers', async () => {
    const noVoice = await login({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers] });
    expect(noVoice.guilds.cache.get(seed.guildId)?.voiceStates.cache.size).toBe(0);

    const noMembers = await login({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates],
    });
    const members = noMembers.guilds.cache.get(seed.guildId)?.members.cache;
    expect([...(members?.keys() ?? [])].sort()).toEqual([emu.botUserId, seed.members.alice].sort());

    // Only the client with the voice intent hears about voice changes.
    const seen = nextEvent(noMembers, 'voiceStateUpdate', (_o, n) => n.id === seed.members.bob);
    let noVoiceSaw = false;
    noVoice.on('voiceStateUpdate', () => {
      noVoiceSaw = true;
    });
    emu.setVoice(seed.guildId, seed.members.bob as string, seed.channels.Lobby as string);
    const [, state] = await seen;
    expect(state.channelId).toBe(seed.channels.Lobby);
    expect(state.member?.user.username).toBe('bob');
    // A later event that noVoice does receive proves the VOICE_STATE_UPDATE was never queued for it.
    const later = nextEvent(noVoice, 'channelCreate');
    await noMembers.guilds.cache
      .get(seed.guildId)
      ?.channels.create({ name: 'x', type: ChannelType.GuildVoice });
    await later;
    expect(noVoiceSaw).toBe(false);
  });

  it('sends GUILD_CREATE for a guild seeded after login, and member add/update/remove events', async () => {
    const client = await login();
    const created = nextEvent(client, 'guildCreate');
    const second = emu.seedGuild({ name: 'Late Guild', members: [{ username: 'dave' }] });
    const [guild] = await created;
    expect(guild.id).toBe(second.guildId);
    expect(guild.members.cache.has(second.members.dave as string)).toBe(true);

    const added = nextEvent(client, 'guildMemberAdd');
    const eveId = emu.addMember(second.guildId, { username: 'eve' });
    expect((await added)[0].id).toBe(eveId);
    const updated = nextEvent(client, 'guildMemberUpdate');
    emu.updateMember(second.guildId, eveId, { nick: 'Evie' });
    expect((await updated)[1].nickname).toBe('Evie');
    const removed = nextEvent(client, 'guildMemberRemove');
    emu.removeMember(second.guildId, eveId);
    expect((await removed)[0].id).toBe(eveId);
  });

  it('removing the bot from a guild sends GUILD_DELETE (a removal, not an outage) and forgets the guild', async () => {
    const client = await login();
    const other = emu.seedGuild({ name: 'Leaving', channels: [{ name: 'Matches', type: 'category' }] });
    await waitForGuild(client, other.guildId);
    const unavailable = vi.fn();
    client.on('guildUnavailable', unavailable);
    const deleted = nextEvent(client, 'guildDelete');
    const res = await fetch(`${emu.url}/_sandbox/discord/guilds/${other.guildId}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    const [guild] = await deleted;
    expect(guild.id).toBe(other.guildId);
    expect(unavailable).not.toHaveBeenCalled();
    expect(client.guilds.cache.has(other.guildId)).toBe(false);
    // REST no longer knows the guild nor its channels; the other guild is untouched.
    await expect(client.guilds.fetch(other.guildId)).rejects.toMatchObject({ code: 10004 });
    await expect(client.channels.fetch(other.channels.Matches as string)).rejects.toMatchObject({
      code: 10003,
    });
    expect((await client.guilds.fetch(seed.guildId)).id).toBe(seed.guildId);
  });

  it('closes the gateway with 4004 on a bad token', async () => {
    await expect(loginClient(emu, { token: 'not.the.token' })).rejects.toThrow();
    expect(emu.sessions()).toBe(0);
  });

  it('fans guild events and interactions out to every session; the second acknowledgement gets 40060', async () => {
    const a = await login();
    const b = await login();
    expect(emu.sessions()).toBe(2);
    await a.guilds.cache
      .get(seed.guildId)
      ?.commands.set([{ name: 'link', description: 'Link your account' }]);

    const bob = seed.members.bob as string;
    const both = Promise.all([
      nextEvent(a, 'voiceStateUpdate', (_o, n) => n.id === bob),
      nextEvent(b, 'voiceStateUpdate', (_o, n) => n.id === bob),
    ]);
    emu.setVoice(seed.guildId, bob, seed.channels.Lobby as string);
    const [[, sa], [, sb]] = await both;
    expect(sa.channelId).toBe(seed.channels.Lobby);
    expect(sb.channelId).toBe(seed.channels.Lobby);

    // Each client replies as soon as it gets the interaction: one wins, the other is refused.
    const outcomes: Array<Promise<{ name: string; code: number | 'ok' }>> = [];
    const received: Array<{ name: string; id: string }> = [];
    for (const [name, c] of [
      ['a', a],
      ['b', b],
    ] as const) {
      c.on('interactionCreate', (i) => {
        if (!i.isChatInputCommand()) return;
        received.push({ name, id: i.id });
        outcomes.push(
          i.reply({ content: `from ${name}`, flags: 64 }).then(
            () => ({ name, code: 'ok' as const }),
            (err: { code?: number }) => ({ name, code: err.code ?? -1 }),
          ),
        );
      });
    }
    const record = await emu.invokeCommand({ guildId: seed.guildId, userId: bob, name: 'link' });
    expect(record.sessionIds).toHaveLength(2);
    await vi.waitFor(() => expect(received).toHaveLength(2), { timeout: 5000 });
    expect(received.map((r) => r.name).sort()).toEqual(['a', 'b']);
    expect(new Set(received.map((r) => r.id))).toEqual(new Set([record.id]));
    const settled = await Promise.all(outcomes);
    const winner = settled.find((o) => o.code === 'ok');
    const loser = settled.find((o) => o.code !== 'ok');
    expect(winner).toBeDefined();
    expect(loser?.code).toBe(40060);
    const response = await record.waitForResponse();
    expect(record.responses).toHaveLength(1);
    expect(response.content).toBe(`from ${winner?.name}`);
  });

  it("gives each interaction to one session, round-robin, with interactionDelivery: 'one-session'", async () => {
    await emu.close();
    emu = await startDiscordEmulator({
      interactionDelivery: 'one-session',
      privilegedIntents: { guildMembers: true },
    });
    seed = emu.seedGuild({ members: [{ username: 'bob' }] });
    const a = await login();
    const b = await login();
    await a.guilds.cache
      .get(seed.guildId)
      ?.commands.set([{ name: 'link', description: 'Link your account' }]);
    const received: string[] = [];
    for (const [name, c] of [
      ['a', a],
      ['b', b],
    ] as const) {
      c.on('interactionCreate', async (i) => {
        received.push(name);
        if (i.isChatInputCommand()) await i.reply({ content: `from ${name}`, flags: 64 });
      });
    }
    const bob = seed.members.bob as string;
    const first = await emu.invokeCommand({ guildId: seed.guildId, userId: bob, name: 'link' });
    const second = await emu.invokeCommand({ guildId: seed.guildId, userId: bob, name: 'link' });
    const r1 = await first.waitForResponse();
    const r2 = await second.waitForResponse();
    expect(received.sort()).toEqual(['a', 'b']);
    expect([r1.content, r2.content].sort()).toEqual(['from a', 'from b']);
    expect(first.sessionIds).toEqual([first.sessionId]);
    expect(first.sessionId).not.toBe(second.sessionId);
  });

  it('replays missed dispatches after RESUME', async () => {
    const client = await login();
    const bob = seed.members.bob as string;
    const resumed = nextEvent(client, 'shardResume');
    const moved = nextEvent(client, 'voiceStateUpdate', (_o, n) => n.id === bob);
    expect(emu.dropGatewayConnections()).toBe(1);
    // The socket is gone: this event is buffered and only reaches the client through RESUME's replay.
    emu.setVoice(seed.guildId, bob, seed.channels.Lobby as string);
    const [, state] = await moved;
    await resumed;
    expect(state.channelId).toBe(seed.channels.Lobby);
    const stats = emu.stats();
    expect(stats.gateway.resumes).toBe(1);
    expect(stats.gateway.identifies).toBe(1);
    expect(emu.sessions()).toBe(1);
  });
});
