import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ShardLeases, VoiceStates } from '@bridge/core';
import { type DiscordEmulator, shardOverlaps, startDiscordEmulator } from '@bridge/sandbox';
import {
  type AppProcess,
  cleanupPrefix,
  REDIS_URL,
  startAppProcess,
  testPrefix,
  waitFor,
} from '@bridge/testbed';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { guildIdOn, liveByShard, longestGap } from './shard-helpers.ts';

// Worker copies share the gateway's shards: 4 shards (Discord recommends them for 8 guilds at 2 per shard),
// copies as real processes (SIGKILL is a real crash: the OS closes their sockets, nothing is released).
const SHARDS = 4;
const LEASE_MS = 4000;
const COPY = join(dirname(fileURLToPath(import.meta.url)), 'shard-copy.ts');

let emu: DiscordEmulator;
let redis: Redis;
let prefix: string;
const copies: AppProcess[] = [];
const guilds: { guildId: string; shard: number; userId: string; lobby: string; other: string }[] = [];

beforeEach(async () => {
  // max_concurrency 2: the copies' IDENTIFYs must share two buckets, or Discord answers op 9.
  emu = await startDiscordEmulator({
    identify: { maxConcurrency: 2 },
    sharding: { guildsPerShard: 2, recommendedGuildsPerShard: 2 },
  });
  prefix = testPrefix('shards');
  redis = new Redis(REDIS_URL);
  guilds.length = 0;
  for (let shard = 0; shard < SHARDS; shard++) {
    for (let k = 0; k < 2; k++) {
      const g = emu.seedGuild({
        id: guildIdOn(shard, k, SHARDS),
        channels: [
          { name: 'Lobby', type: 'voice' },
          { name: 'Other', type: 'voice' },
        ],
        members: [{ username: `p${shard}${k}` }],
      });
      const userId = g.members[`p${shard}${k}`] as string;
      emu.setVoice(g.guildId, userId, g.channels.Lobby as string);
      guilds.push({
        guildId: g.guildId,
        shard,
        userId,
        lobby: g.channels.Lobby as string,
        other: g.channels.Other as string,
      });
    }
  }
});

afterEach(async () => {
  await Promise.all(copies.splice(0).map((c) => c.kill('SIGKILL')));
  await emu.close();
  redis.disconnect();
  await cleanupPrefix(REDIS_URL, prefix);
});

function startCopy(id: string): AppProcess {
  const proc = startAppProcess(COPY, {
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    COPY_ID: id,
    DISCORD_TOKEN: emu.botToken,
    DISCORD_API_URL: emu.apiUrl,
    LEASE_MS: String(LEASE_MS),
  });
  copies.push(proc);
  return proc;
}

const leases = () =>
  new ShardLeases(redis, { prefix, copyId: 'observer', leaseMs: LEASE_MS }).holders(SHARDS);

/** Every shard held: one live session each, and a lease held by one of `live` copies. */
async function allHeldBy(live: string[], what: string, balanced = false): Promise<(string | null)[]> {
  return waitFor(
    async () => {
      const holders = await leases();
      const sessions = liveByShard(emu.sessionLog(), SHARDS);
      // Balanced: every live copy holds a share (a copy that starts later takes it by handover, so the
      // first moment every shard is held may still be before that).
      const ok =
        holders.every((h) => h !== null && live.includes(h)) &&
        sessions.every((s) => s.length === 1) &&
        (!balanced || live.every((c) => holders.includes(c)));
      return ok ? holders : undefined;
    },
    { what, timeoutMs: 90_000, intervalMs: 50 },
  );
}

describe('gateway shards shared by worker copies', { timeout: 180_000 }, () => {
  it('holds each shard in exactly one copy; a killed copy’s shards are resumed elsewhere; a new copy takes its share', async () => {
    const voice = new VoiceStates(redis, prefix);
    // 3 copies: every shard held once, IDENTIFYs within Discord's max_concurrency across copies.
    startCopy('a');
    startCopy('b');
    startCopy('c');
    let holders = await allHeldBy(['a', 'b', 'c'], 'every shard held, each of 3 copies a share', true);
    expect(new Set(holders).size).toBe(3);
    expect(shardOverlaps(emu.sessionLog())).toEqual([]);
    expect(emu.stats().gateway.invalidSessions).toBe(0);
    // What jobs read: every guild's voice states, mirrored by the owner of its shard.
    for (const g of guilds) {
      await expect.poll(async () => (await voice.all(g.guildId)).get(g.userId)).toBe(g.lobby);
    }

    // SIGKILL the copy holding shard 0; a member moves in one of its guilds while nobody holds it.
    const victim = holders[0] as string;
    const orphaned = holders.flatMap((h, s) => (h === victim ? [s] : []));
    const before = new Map(orphaned.map((s) => [s, liveByShard(emu.sessionLog(), SHARDS)[s]?.[0]]));
    const killedAt = Date.now();
    await copies[['a', 'b', 'c'].indexOf(victim)]?.kill('SIGKILL');
    const moved = guilds.find((g) => g.shard === 0) as (typeof guilds)[number];
    emu.setVoice(moved.guildId, moved.userId, moved.other);
    const survivors = ['a', 'b', 'c'].filter((c) => c !== victim);
    holders = await allHeldBy(survivors, 'the killed copy’s shards held again');
    const heldAgainMs = Date.now() - killedAt;
    expect(heldAgainMs).toBeLessThan(30_000);
    // By RESUME: the same sessions live again, no new IDENTIFY for them; the missed move was replayed.
    const log = emu.sessionLog();
    for (const s of orphaned) {
      const entry = log.find((e) => e.sessionId === before.get(s));
      expect(entry?.live.at(-1)).toMatchObject({ via: 'resume', to: null });
    }
    await expect.poll(async () => (await voice.all(moved.guildId)).get(moved.userId)).toBe(moved.other);
    expect(shardOverlaps(log)).toEqual([]);

    // A new copy joins: it takes its share by handover, each shard's gap shorter than a lease.
    const joinedAt = Date.now();
    startCopy('d');
    holders = await waitFor(
      async () => {
        const h = await leases();
        return h.includes('d') && liveByShard(emu.sessionLog(), SHARDS).every((s) => s.length === 1)
          ? h
          : undefined;
      },
      { what: 'copy d holding a shard', timeoutMs: 60_000, intervalMs: 50 },
    );
    await allHeldBy([...survivors, 'd'], 'every shard held after the rebalance');
    const after = emu.sessionLog();
    const gap = longestGap(after, SHARDS, joinedAt, Date.now());
    expect(gap).toBeLessThan(LEASE_MS);
    expect(shardOverlaps(after)).toEqual([]);
    // A copy stopping (SIGTERM) hands its shards over at once: no gap as long as a lease.
    const leaving = holders.find((h) => h !== null) as string;
    const stoppedAt = Date.now();
    expect(await copies[['a', 'b', 'c', 'd'].indexOf(leaving)]?.kill('SIGTERM')).toBe(0);
    const rest = [...survivors, 'd'].filter((c) => c !== leaving);
    await allHeldBy(rest, 'the stopped copy’s shards held by the others');
    const stopGap = longestGap(emu.sessionLog(), SHARDS, stoppedAt, Date.now());
    expect(stopGap).toBeLessThan(LEASE_MS);
    expect(shardOverlaps(emu.sessionLog())).toEqual([]);
    // Handovers resume: only the 4 first sessions were identified.
    expect(emu.stats().gateway.identifies).toBe(SHARDS);
    console.info(
      `shards: held again ${heldAgainMs} ms after SIGKILL (lease ${LEASE_MS} ms); longest gap on rebalance ${gap} ms, on SIGTERM ${stopGap} ms`,
    );
  });
});
