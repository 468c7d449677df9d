// Guild channel messages (create, edit, get, limits, permissions, rate limit) and the voice channel
// status, met by the real discord.js client.
import { ChannelType, type Client, Events, PermissionFlagsBits, RESTEvents } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type DiscordEmulator, startDiscordEmulator } from '../src/discord/index.ts';
import { loginClient } from '../src/discord/testing.ts';
import { apiError } from './discord-api-error.ts';

const P = PermissionFlagsBits;
let emu: DiscordEmulator | undefined;
const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await emu?.close();
  emu = undefined;
});

const bits = (...b: bigint[]) => String(b.reduce((a, x) => a | x, 0n));

async function setup(opts: Parameters<typeof startDiscordEmulator>[0] = {}) {
  emu = await startDiscordEmulator(opts);
  const seed = emu.seedGuild({
    members: [{ username: 'owner' }],
    channels: [
      { name: 'cards', type: 'text' },
      { name: 'no-embeds', type: 'text', overwrites: [{ to: '@everyone', deny: bits(P.EmbedLinks) }] },
      { name: 'read-only', type: 'text', overwrites: [{ to: '@everyone', deny: bits(P.SendMessages) }] },
      { name: 'hidden', type: 'text', overwrites: [{ to: '@everyone', deny: bits(P.ViewChannel) }] },
      { name: 'Team', type: 'voice' },
    ],
    botPermissions: bits(P.ViewChannel, P.SendMessages, P.ManageChannels, P.SetVoiceChannelStatus),
  });
  const client = await loginClient(emu, { rest: { globalRequestsPerSecond: 10_000 } });
  clients.push(client);
  const text = async (name: keyof typeof seed.channels) => {
    const c = await client.channels.fetch(seed.channels[name]);
    if (c?.type !== ChannelType.GuildText) throw new Error(`${name} is not a text channel`);
    return c;
  };
  return { e: emu, seed, client, text };
}

const card = (title: string) => ({
  embeds: [{ title, description: 'de_mirage', fields: [{ name: 'Team A', value: '<@1>' }] }],
  components: [
    {
      type: 1,
      components: [{ type: 2, style: 5, label: 'Room', url: 'https://www.faceit.com/en/cs2/room/1' }],
    },
  ],
});

describe('guild channel messages', () => {
  it('creates, reads and edits in place an embed with a link button', async () => {
    const { e, text } = await setup();
    const channel = await text('cards');
    const sent = await channel.send(card('configuring'));
    const edited = await channel.messages.edit(sent.id, { embeds: [{ title: 'ready' }] });
    expect(edited.id).toBe(sent.id);
    expect(edited.editedTimestamp).not.toBeNull();
    const [stored] = e.channelMessages(channel.id);
    expect(e.channelMessages(channel.id)).toHaveLength(1);
    expect(stored?.embeds).toEqual([{ title: 'ready' }]);
    // Components not named in the edit are kept.
    expect(stored?.components).toHaveLength(1);
    const fetched = await channel.messages.fetch({ message: sent.id, force: true });
    expect(fetched.embeds[0]?.title).toBe('ready');
  });

  it('answers 10008 for an unknown or deleted message, and edits nothing', async () => {
    const { e, text } = await setup();
    const channel = await text('cards');
    const sent = await channel.send(card('configuring'));
    expect(e.deleteChannelMessage(channel.id, sent.id)).toBe(true);
    const err = await apiError(channel.messages.edit(sent.id, { embeds: [{ title: 'ready' }] }));
    expect([err.status, err.code]).toEqual([404, 10008]);
    expect((await apiError(channel.messages.fetch({ message: sent.id, force: true }))).code).toBe(10008);
    expect(e.channelMessages(channel.id)).toHaveLength(0);
  });

  it.each([
    ['11 embeds', { embeds: Array.from({ length: 11 }, () => ({ title: 't' })) }, 'embeds'],
    ['a title over 256', { embeds: [{ title: 'x'.repeat(257) }] }, 'embeds.0.title'],
    ['a description over 4096', { embeds: [{ description: 'x'.repeat(4097) }] }, 'embeds.0.description'],
    [
      '26 fields',
      { embeds: [{ fields: Array.from({ length: 26 }, () => ({ name: 'n', value: 'v' })) }] },
      'embeds.0.fields',
    ],
    [
      'a field name over 256',
      { embeds: [{ fields: [{ name: 'x'.repeat(257), value: 'v' }] }] },
      'embeds.0.fields.0.name',
    ],
    [
      'a field value over 1024',
      { embeds: [{ fields: [{ name: 'n', value: 'x'.repeat(1025) }] }] },
      'embeds.0.fields.0.value',
    ],
    [
      'over 6000 characters in all',
      { embeds: [1, 2].map(() => ({ description: 'x'.repeat(3001) })) },
      'embeds',
    ],
    [
      'a link button with a custom_id',
      { components: [{ type: 1, components: [{ type: 2, style: 5, url: 'https://x.y', custom_id: 'a' }] }] },
      'components.0.components.0.custom_id',
    ],
    [
      'a link button without a url',
      { content: 'x', components: [{ type: 1, components: [{ type: 2, style: 5, label: 'Room' }] }] },
      'components.0.components.0.url',
    ],
  ])('refuses %s with 50035, on create and on edit', async (_label, body, where) => {
    const { e, text } = await setup();
    const channel = await text('cards');
    const err = await apiError(channel.send(body));
    expect([err.status, err.code]).toEqual([400, 50035]);
    // The errors tree nests one level per key, as Discord's (reference.mdx, "Error Messages").
    const leaf = where
      .split('.')
      .reduce<unknown>(
        (node, key) => (node as Record<string, unknown> | undefined)?.[key],
        (err.rawError as { errors?: unknown }).errors,
      );
    expect(leaf).toHaveProperty('_errors');
    const sent = await channel.send(card('ok'));
    expect((await apiError(channel.messages.edit(sent.id, body))).code).toBe(50035);
    expect(e.channelMessages(channel.id).map((m) => m.embeds)).toEqual([card('ok').embeds]);
  });

  it('needs View Channel (50001), Send Messages and Embed Links (50013)', async () => {
    const { e, text, client, seed } = await setup();
    const hidden = await apiError(
      client.rest.post(`/channels/${seed.channels.hidden}/messages`, { body: card('x') }),
    );
    expect([hidden.status, hidden.code]).toEqual([403, 50001]);
    expect((await apiError((await text('read-only')).send(card('x')))).code).toBe(50013);
    const noEmbeds = await text('no-embeds');
    expect((await apiError(noEmbeds.send(card('x')))).code).toBe(50013);
    // Text alone still goes through where embeds are not allowed.
    await noEmbeds.send({ content: 'plain' });
    expect(e.channelMessages(noEmbeds.id)).toHaveLength(1);
  });

  it('limits messages to 5 per 5 s per channel (discord.js waits on the bucket)', async () => {
    const { e, text, client } = await setup();
    const channel = await text('cards');
    const limited: string[] = [];
    client.rest.on(RESTEvents.RateLimited, (info) => limited.push(info.route));
    const buckets: string[] = [];
    client.rest.on(RESTEvents.Response, (req, res) => {
      if (req.method === 'POST') buckets.push(`${res.headers.get('x-ratelimit-limit')}`);
    });
    await Promise.all(Array.from({ length: 6 }, (_, i) => channel.send({ content: `m${i}` })));
    expect(e.channelMessages(channel.id)).toHaveLength(6);
    expect(new Set(buckets)).toEqual(new Set(['5']));
    expect(limited.length).toBeGreaterThan(0);
  });
});

describe('voice channel status', () => {
  it('sets and clears the status, dispatching VOICE_CHANNEL_STATUS_UPDATE, without renaming', async () => {
    const { e, client, seed } = await setup();
    const seen: unknown[] = [];
    client.on(Events.Raw, (p: { t?: string; d?: unknown }) => {
      if (p.t === 'VOICE_CHANNEL_STATUS_UPDATE') seen.push(p.d);
    });
    const before = e.state(seed.guildId).channels.find((c) => c.id === seed.channels.Team);
    await client.rest.put(`/channels/${seed.channels.Team}/voice-status`, {
      body: { status: 'de_mirage · live' },
    });
    const after = e.state(seed.guildId).channels.find((c) => c.id === seed.channels.Team);
    expect(after?.status).toBe('de_mirage · live');
    expect(after?.name).toBe(before?.name);
    await client.rest.put(`/channels/${seed.channels.Team}/voice-status`, { body: { status: '' } });
    expect(e.state(seed.guildId).channels.find((c) => c.id === seed.channels.Team)?.status).toBeUndefined();
    await waitUntil(() => seen.length === 2);
    expect(seen).toEqual([
      { id: seed.channels.Team, guild_id: seed.guildId, status: 'de_mirage · live' },
      { id: seed.channels.Team, guild_id: seed.guildId, status: null },
    ]);
  });

  it('refuses a status over 500 characters (50035) and a text channel (50024)', async () => {
    const { e, client, seed } = await setup();
    const long = await apiError(
      client.rest.put(`/channels/${seed.channels.Team}/voice-status`, { body: { status: 'x'.repeat(501) } }),
    );
    expect(long.code).toBe(50035);
    const onText = await apiError(
      client.rest.put(`/channels/${seed.channels.cards}/voice-status`, { body: { status: 'x' } }),
    );
    expect(onText.code).toBe(50024);
    expect(e.state(seed.guildId).channels.some((c) => c.status)).toBe(false);
  });

  it('needs Set Voice Channel Status, and Manage Channels when the bot is not connected', async () => {
    emu = await startDiscordEmulator();
    const e = emu;
    const seed = e.seedGuild({
      members: [{ username: 'owner' }],
      channels: [
        {
          name: 'NoStatus',
          type: 'voice',
          overwrites: [{ to: '@bot', deny: bits(P.SetVoiceChannelStatus) }],
        },
        { name: 'NoManage', type: 'voice', overwrites: [{ to: '@bot', deny: bits(P.ManageChannels) }] },
      ],
      botPermissions: bits(P.ViewChannel, P.ManageChannels, P.SetVoiceChannelStatus),
    });
    const client = await loginClient(e, { rest: { globalRequestsPerSecond: 10_000 } });
    clients.push(client);
    for (const id of [seed.channels.NoStatus, seed.channels.NoManage]) {
      const err = await apiError(client.rest.put(`/channels/${id}/voice-status`, { body: { status: 'x' } }));
      expect([err.status, err.code]).toEqual([403, 50013]);
    }
    expect(e.state(seed.guildId).channels.some((c) => c.status)).toBe(false);
  });
});

describe('channel renames', () => {
  it('allows 2 renames per channel per 10 minutes; the third is a long 429; a status change is no rename', async () => {
    const { e, seed } = await setup();
    const patch = (name: string) =>
      fetch(`${e.apiUrl}/v10/channels/${seed.channels.Team}`, {
        method: 'PATCH',
        headers: { authorization: `Bot ${e.botToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      });
    const status = (s: string) =>
      fetch(`${e.apiUrl}/v10/channels/${seed.channels.Team}/voice-status`, {
        method: 'PUT',
        headers: { authorization: `Bot ${e.botToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ status: s }),
      });
    expect((await patch('one')).status).toBe(200);
    for (const s of ['a', 'b', 'c']) expect((await status(s)).status).toBe(204);
    expect((await patch('two')).status).toBe(200);
    const third = await patch('three');
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(500);
    expect(e.state(seed.guildId).channels.find((c) => c.id === seed.channels.Team)?.name).toBe('two');
    // The same name again is no rename.
    expect((await patch('two')).status).toBe(200);
    e.advanceClock(10 * 60_000);
    expect((await patch('three')).status).toBe(200);
  });
});

async function waitUntil(cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
