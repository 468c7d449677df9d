import { ChannelType, type Client, DiscordAPIError } from 'discord.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type DiscordEmulator, type GuildSeed, startDiscordEmulator } from '../src/discord/index.ts';
import { loginClient } from '../src/discord/testing.ts';

let emu: DiscordEmulator | undefined;
let client: Client<true> | undefined;

afterEach(async () => {
  await client?.destroy();
  await emu?.close();
  client = undefined;
  emu = undefined;
});

async function setup(opts: Parameters<typeof startDiscordEmulator>[0] = {}, restTimeoutMs?: number) {
  emu = await startDiscordEmulator(opts);
  const seed = emu.seedGuild({
    channels: [{ name: 'Lobby', type: 'voice' }],
    members: [{ username: 'alice' }],
  });
  // The default REST timeout (a bound far above a request's time here) unless a test needs the client
  // to give up on a hanging request: a short one would also cut slow answers on a loaded machine,
  // and the retries would throw the request counts off.
  client = await loginClient(emu, restTimeoutMs ? { rest: { timeout: restTimeoutMs } } : {});
  const guild = client.guilds.cache.get(seed.guildId);
  if (!guild) throw new Error('guild not cached');
  return { emu, seed, client, guild };
}

describe('discord emulator faults and rate limits', () => {
  it('rides out an injected 429 (route and global): the emulator counts it and the call succeeds', async () => {
    const { emu, guild } = await setup();
    emu.setFault({ route: 'POST /guilds/:guild/channels', kind: 'ratelimit', retryAfter: 0.1, times: 1 });
    const channel = await guild.channels.create({ name: 'after-429', type: ChannelType.GuildVoice });
    expect(channel.name).toBe('after-429');
    let stats = emu.stats();
    expect(stats.rateLimited).toBe(1);
    expect(stats.rateLimitedByRoute['POST /guilds/:guild/channels']).toBe(1);
    expect(stats.byRoute['POST /guilds/:guild/channels']).toBe(2);
    expect(stats.faultsInjected).toBe(1);

    emu.setFault({
      route: /^DELETE \/channels\//,
      kind: 'ratelimit',
      retryAfter: 0.1,
      global: true,
      times: 1,
    });
    await channel.delete();
    stats = emu.stats();
    expect(stats.rateLimited).toBe(2);
    expect(emu.state(guild.id).channels.some((c) => c.id === channel.id)).toBe(false);
  });

  it('retries an injected 5xx and succeeds; a persistent 5xx surfaces as an error', async () => {
    const { emu, guild } = await setup();
    emu.setFault({ route: 'POST /guilds/:guild/channels', kind: 'status', status: 502, times: 2 });
    const channel = await guild.channels.create({ name: 'after-502', type: ChannelType.GuildVoice });
    expect(channel.id).toBeTruthy();
    const stats = emu.stats();
    expect(stats.byStatus['502']).toBe(2);
    expect(stats.byStatus['201']).toBe(1);
    expect(stats.errors).toBe(2);

    emu.setFault({ method: 'GET', route: '/guilds/:guild/members/:user', kind: 'status', status: 500 });
    await expect(guild.members.fetch({ user: emu.botUserId, force: true })).rejects.toThrow(
      /Internal Server Error/,
    );
    emu.clearFaults();
    const me = await guild.members.fetch({ user: emu.botUserId, force: true });
    expect(me.id).toBe(emu.botUserId);
  });

  it('hangs a request until the client times out, then answers the retry', async () => {
    const { emu, guild } = await setup({}, 3000);
    emu.setFault({ route: 'GET /guilds/:guild/roles', kind: 'hang', times: 1 });
    const roles = await guild.roles.fetch();
    expect(roles.size).toBeGreaterThan(0);
    expect(emu.stats().byRoute['GET /guilds/:guild/roles']).toBe(2);
    expect(emu.stats().faultsInjected).toBe(1);
  });

  it('enforces per-route buckets with Discord headers, and the client waits instead of failing', async () => {
    const { emu, guild } = await setup({
      rateLimits: {
        perRoute: { limit: 2, windowMs: 60_000 },
        routes: { 'POST /guilds/:guild/channels': { limit: 2, windowMs: 200 } },
        global: 1000,
      },
    });
    const res = await fetch(`${emu.apiUrl}/v10/guilds/${guild.id}/roles`, {
      headers: { Authorization: `Bot ${emu.botToken}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit')).toBe('2');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('1');
    expect(res.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{16}$/);
    expect(Number(res.headers.get('x-ratelimit-reset-after'))).toBeGreaterThan(0);
    const second = await fetch(`${emu.apiUrl}/v10/guilds/${guild.id}/roles`, {
      headers: { Authorization: `Bot ${emu.botToken}` },
    });
    expect(second.headers.get('x-ratelimit-remaining')).toBe('0');
    const third = await fetch(`${emu.apiUrl}/v10/guilds/${guild.id}/roles`, {
      headers: { Authorization: `Bot ${emu.botToken}` },
    });
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(third.headers.get('x-ratelimit-scope')).toBe('user');
    expect(third.headers.has('x-ratelimit-global')).toBe(false);
    expect(await third.json()).toMatchObject({ message: 'You are being rate limited.', global: false });

    // discord.js reads the headers and queues: 5 creates on a 2-per-200ms bucket all succeed, none refused.
    const created = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        guild.channels.create({ name: `q-${i}`, type: ChannelType.GuildVoice }),
      ),
    );
    expect(created).toHaveLength(5);
    expect(emu.stats().rateLimitedByRoute['POST /guilds/:guild/channels']).toBeUndefined();
  });

  it('answers 401 for a wrong token, 404 for unknown routes, and needs no auth for interactions', async () => {
    const { emu } = await setup();
    const bad = await fetch(`${emu.apiUrl}/v10/users/@me`, { headers: { Authorization: 'Bot wrong' } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ message: '401: Unauthorized', code: 0 });
    const missing = await fetch(`${emu.apiUrl}/v10/nope`, {
      headers: { Authorization: `Bot ${emu.botToken}` },
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: '404: Not Found', code: 0 });
    const cb = await fetch(`${emu.apiUrl}/v10/interactions/123456789012345678/tok/callback`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 4, data: { content: 'x' } }),
    });
    expect(cb.status).toBe(404);
    expect(await cb.json()).toEqual({ message: 'Unknown interaction', code: 10062 });
    const gw = await fetch(`${emu.apiUrl}/v10/gateway/bot`, {
      headers: { Authorization: `Bot ${emu.botToken}` },
    });
    // The client's IDENTIFY opened the 24-hour window and used one of the 1000.
    expect(await gw.json()).toEqual({
      url: emu.gatewayUrl,
      shards: 1,
      session_start_limit: {
        total: 1000,
        remaining: 999,
        reset_after: expect.any(Number),
        max_concurrency: 1,
      },
    });
    const err = await client?.rest.get('/channels/123456789012345678').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiscordAPIError);
  });

  it('adds latency per route', async () => {
    const { emu, guild } = await setup();
    emu.setLatency('GET /guilds/:guild/roles', 150);
    const t0 = performance.now();
    await guild.roles.fetch();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('holds a route until released, then answers with the state as it is then', async () => {
    const { emu, guild, seed } = await setup();
    const hold = emu.holdRequests('GET /guilds/:guild/channels', 1);
    let answered = false;
    const listing = guild.channels.fetch().then((all) => {
      answered = true;
      return all;
    });
    await vi.waitFor(() => expect(emu.stats().byRoute['GET /guilds/:guild/channels']).toBe(1), {
      timeout: 30_000,
    });
    // Other routes go through meanwhile.
    const made = await guild.channels.create({ name: 'made-meanwhile', type: ChannelType.GuildVoice });
    expect(answered).toBe(false);
    expect(hold.waiting).toBe(1);
    hold.release();
    const all = await listing;
    expect([...all.keys()].sort()).toEqual([seed.channels.Lobby, made.id].sort());
    // One request held: the next listing is answered at once.
    expect((await guild.channels.fetch()).size).toBe(2);
    // Every request until released, then none.
    const every = emu.holdRequests('GET /guilds/:guild/roles');
    let rolesAnswered = false;
    const roles = guild.roles.fetch().then(() => {
      rolesAnswered = true;
    });
    await vi.waitFor(() => expect(emu.stats().byRoute['GET /guilds/:guild/roles']).toBe(1), {
      timeout: 30_000,
    });
    expect(rolesAnswered).toBe(false);
    every.release();
    await roles;
    expect(every.waiting).toBe(0);
    await guild.roles.fetch();
  });
});

describe('discord emulator control API', () => {
  it('seeds, sets voice, invokes a command, reads the reply, DMs, state, faults and stats over HTTP', async () => {
    emu = await startDiscordEmulator();
    const base = `${emu.url}/_sandbox/discord`;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
    };
    const info = await call('GET', '/info');
    expect(info.body.apiUrl).toBe(emu.apiUrl);
    const seeded = await call('POST', '/guilds', {
      name: 'Control',
      channels: [{ name: 'Lobby', type: 'voice' }],
      members: [{ username: 'alice' }],
    });
    expect(seeded.status).toBe(201);
    const { guildId, channels, members } = seeded.body as GuildSeed;
    const alice = members.alice as string;
    expect((await call('POST', '/voice', { guildId, userId: alice, channelId: channels.Lobby })).status).toBe(
      204,
    );
    expect((await call('GET', `/guilds/${guildId}/state`)).body.voiceStates).toEqual({
      [alice]: channels.Lobby,
    });

    client = await loginClient(emu);
    expect((await call('GET', '/sessions')).body).toEqual({ sessions: 1 });
    await client.guilds.cache.get(guildId)?.commands.set([{ name: 'link', description: 'Link' }]);
    client.on('interactionCreate', async (i) => {
      if (i.isChatInputCommand()) {
        await i.reply({ content: 'linked', flags: 64 });
        await i.user.send('welcome');
      }
    });
    const unknown = await call('POST', '/interactions', { guildId, userId: alice, name: 'nope' });
    expect(unknown.status).toBe(400);
    const invoked = await call('POST', '/interactions', { guildId, userId: alice, name: 'link' });
    expect(invoked.status).toBe(201);
    const read = await call('GET', `/interactions/${invoked.body.id}?wait=response&timeoutMs=5000`);
    expect(read.body.responses[0]).toMatchObject({ type: 4, content: 'linked', ephemeral: true });
    const dms = await call('GET', `/dms/${alice}?count=1&timeoutMs=5000`);
    expect(dms.body.map((m: { content: string }) => m.content)).toEqual(['welcome']);

    await call('POST', '/faults', {
      route: 'GET /guilds/:guild/roles',
      kind: 'status',
      status: 503,
      times: 1,
    });
    await client.guilds.cache.get(guildId)?.roles.fetch();
    const stats = (await call('GET', '/stats')).body;
    expect(stats.byStatus['503']).toBe(1);
    expect((await call('DELETE', '/faults')).status).toBe(204);
    expect((await call('GET', '/nothing')).status).toBe(404);
  });
});
