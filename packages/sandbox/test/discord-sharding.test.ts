import { Client, GatewayIntentBits } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type DiscordEmulator, shardOverlaps, startDiscordEmulator } from '../src/discord/index.ts';
import { nextEvent } from '../src/discord/testing.ts';

let emu: DiscordEmulator;
const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await emu.close();
});

/** A guild id that Discord routes to `shard` of `count` ((id >> 22) % count): the k-th such id. */
function guildIdOn(shard: number, count: number, k: number): string {
  return ((BigInt(1_000_000 + k * count + shard) << 22n) | 7n).toString();
}

/** Sends one IDENTIFY over a raw socket and resolves with the close code (or 'ready'). */
function identifyRaw(shard?: unknown): Promise<number | 'ready'> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(emu.gatewayUrl);
    ws.on('error', reject);
    ws.on('close', (code) => resolve(code));
    ws.on('message', (raw) => {
      const p = JSON.parse(raw.toString()) as { op: number; t?: string };
      if (p.op === 10) {
        const d: Record<string, unknown> = { token: emu.botToken, intents: 1, properties: {} };
        if (shard !== undefined) d.shard = shard;
        ws.send(JSON.stringify({ op: 2, d }));
      }
      if (p.t === 'READY') {
        ws.close(1000);
        resolve('ready');
      }
    });
  });
}

async function shardClient(shard: number, count: number): Promise<Client<true>> {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates],
    rest: { api: emu.apiUrl, timeout: 30_000 },
    shards: [shard],
    shardCount: count,
    waitGuildTimeout: 15_000,
  });
  clients.push(client);
  const ready = nextEvent(client, 'clientReady', () => true, 60_000);
  await client.login(emu.botToken);
  await ready;
  return client as Client<true>;
}

describe('discord emulator sharding', () => {
  it('recommends shards by guild count and closes an under-sharded session with 4011', async () => {
    emu = await startDiscordEmulator({
      sharding: { guildsPerShard: 3, recommendedGuildsPerShard: 2 },
      identify: { maxConcurrency: 16 },
    });
    for (let k = 0; k < 5; k++) emu.seedGuild({ id: guildIdOn(k % 2, 2, k) });
    const res = await fetch(`${emu.apiUrl}/v10/gateway/bot`, {
      headers: { authorization: `Bot ${emu.botToken}` },
    });
    expect(((await res.json()) as { shards: number }).shards).toBe(3);
    // 5 guilds on one shard > 3: Sharding required. Split over 2 shards (3 + 2) it is accepted.
    expect(await identifyRaw()).toBe(4011);
    // The refused IDENTIFY counted against shard 0's 5-second bucket (the stricter reading).
    expect(emu.sessionStartLimit().remaining).toBe(999);
    emu.advanceClock(5000);
    expect(await identifyRaw([0, 2])).toBe('ready');
    expect(await identifyRaw([1, 2])).toBe('ready');
  });

  it('closes an invalid shard with 4010', async () => {
    emu = await startDiscordEmulator({ identify: { maxConcurrency: 16 } });
    expect(await identifyRaw([2, 2])).toBe(4010);
    expect(await identifyRaw([-1, 2])).toBe(4010);
    expect(await identifyRaw([0.5, 2])).toBe(4010);
    expect(emu.stats().gateway.identifies).toBe(0);
  });

  it('gives each shard only its guilds and their events: (guild_id >> 22) % num_shards', async () => {
    emu = await startDiscordEmulator({ identify: { maxConcurrency: 2 } });
    const a = emu.seedGuild({
      id: guildIdOn(0, 2, 0),
      channels: [{ name: 'Lobby', type: 'voice' }],
      members: [{ username: 'alice' }],
    });
    const b = emu.seedGuild({
      id: guildIdOn(1, 2, 0),
      channels: [{ name: 'Lobby', type: 'voice' }],
      members: [{ username: 'bob' }],
    });
    const [s0, s1] = await Promise.all([shardClient(0, 2), shardClient(1, 2)]);
    expect([...s0.guilds.cache.keys()]).toEqual([a.guildId]);
    expect([...s1.guilds.cache.keys()]).toEqual([b.guildId]);
    const seenBy: string[] = [];
    s0.on('voiceStateUpdate', (_o, n) => seenBy.push(`s0:${n.guild.id}`));
    s1.on('voiceStateUpdate', (_o, n) => seenBy.push(`s1:${n.guild.id}`));
    const got = nextEvent(s1, 'voiceStateUpdate');
    emu.setVoice(b.guildId, b.members.bob as string, b.channels.Lobby as string);
    await got;
    const got0 = nextEvent(s0, 'voiceStateUpdate');
    emu.setVoice(a.guildId, a.members.alice as string, a.channels.Lobby as string);
    await got0;
    expect(seenBy).toEqual([`s1:${b.guildId}`, `s0:${a.guildId}`]);
  });

  it('logs each session per shard: a resume continues the session, a second session on the shard overlaps', async () => {
    emu = await startDiscordEmulator({ identify: { maxConcurrency: 2 } });
    emu.seedGuild({ id: guildIdOn(0, 2, 0) });
    const first = await shardClient(0, 2);
    const resumed = nextEvent(first, 'shardResume');
    emu.dropGatewayConnections();
    await resumed;
    let log = emu.sessionLog();
    expect(log).toHaveLength(1);
    expect(log[0]?.shard).toEqual([0, 2]);
    expect(log[0]?.live.map((l) => [l.via, l.closeCode])).toEqual([
      ['identify', 4000],
      ['resume', null],
    ]);
    expect(shardOverlaps(log)).toEqual([]);
    // Discord allows a second session on the same shard: the log shows the overlap.
    await shardClient(0, 2);
    log = emu.sessionLog();
    expect(log).toHaveLength(2);
    const overlaps = shardOverlaps(log);
    expect(overlaps).toHaveLength(1);
    expect(overlaps[0]?.shard).toEqual([0, 2]);
    // Closing with 1000 ends the session: its interval closes.
    await first.destroy();
    await expect
      .poll(
        () =>
          emu
            .sessionLog()
            .find((e) => e.sessionId === log[0]?.sessionId)
            ?.live.at(-1)?.closeCode,
        {
          timeout: 30_000,
        },
      )
      .toBe(1000);
  });
});
