import { ShardLeases } from '@bridge/core';
import { type SessionLogEntry, shardOverlaps } from '@bridge/sandbox';
import { type Stack, startStack, waitFor } from '@bridge/testbed';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { matchChannels, seedLinkedPlayers } from './matches-helpers.ts';

// The scale test of issue 18 with real worker processes: the gateway split into 4 shards held by the copies
// through Redis leases, jobs on any copy (voice states from the shard owner's mirror in Redis). The guild
// lives on one shard; its owner is SIGKILLed mid-load. Single-guild for now: with multi-guild routing on main,
// seed one guild per shard (guild ids routed by (id >> 22) % 4) and deliver matches to each.
const SHARDS = 4;
const LEASE_MS = 5000;
const MATCHES = 10;

let stack: Stack | undefined;
let redis: Redis | undefined;
afterEach(async () => {
  redis?.disconnect();
  await stack?.stop();
  stack = undefined;
});

function liveSessions(log: SessionLogEntry[], shard: number): string[] {
  return log
    .filter((e) => e.shard[0] === shard && e.shard[1] === SHARDS && e.live.at(-1)?.to === null)
    .map((e) => e.sessionId);
}

describe('shards held by exactly one worker copy', { timeout: 240_000 }, () => {
  it('3 copies share 4 shards; matches converge once through a SIGKILL of the guild’s shard owner', async () => {
    stack = await startStack({
      workers: 3,
      workerEnv: {
        DISCORD_SHARDING: 'leases',
        DISCORD_SHARD_COUNT: String(SHARDS),
        DISCORD_SHARD_LEASE_MS: String(LEASE_MS),
      },
      discord: {
        identify: { maxConcurrency: 2 },
        rateLimits: { perRoute: { limit: 50, windowMs: 1000 }, global: 100 },
      },
      guild: { members: [{ username: 'asker' }] },
    });
    const s = stack;
    redis = new Redis(s.redisUrl);
    const leases = new ShardLeases(redis, { prefix: s.prefix, copyId: 'observer', leaseMs: LEASE_MS });
    const guildShard = Number((BigInt(s.guildId) >> 22n) % BigInt(SHARDS));
    const copyOf = (w: (typeof s.workers)[number]) =>
      (w.lines.find((l) => l.msg === 'worker ready')?.shards as { copy?: string } | undefined)?.copy;

    // Every shard held by one live copy, one live session each, never two at once.
    const heldOnce = (alive: string[]) =>
      waitFor(
        async () => {
          const holders = await leases.holders(SHARDS);
          const log = s.discord.sessionLog();
          const ok =
            holders.every((h) => h !== null && alive.includes(h)) &&
            Array.from({ length: SHARDS }, (_, i) => liveSessions(log, i).length === 1).every(Boolean);
          return ok ? holders : undefined;
        },
        { what: 'every shard held once', timeoutMs: 90_000, intervalMs: 50 },
      );
    const copies = s.workers.map(copyOf) as string[];
    expect(copies.every(Boolean)).toBe(true);
    let holders = await heldOnce(copies);
    expect(shardOverlaps(s.discord.sessionLog())).toEqual([]);

    const players = await seedLinkedPlayers(s, 'shard', MATCHES * 2);
    const matches = Array.from({ length: MATCHES }, (_, i) =>
      s.faceit.seedMatch({ faction1: [players[2 * i]!.faceitId], faction2: [players[2 * i + 1]!.faceitId] }),
    );
    const lobby = s.guild.channels.General!;
    // The first half's players are in voice before their match starts.
    for (const p of players.slice(0, MATCHES)) s.discord.setVoice(s.guildId, p.discordId, lobby);
    await Promise.all(
      matches.slice(0, MATCHES / 2).map((m) => s.faceit.play(s.webhook, m.id, ['match_status_ready'])),
    );

    // SIGKILL the copy holding the guild's shard mid-load; the rest of the players connect meanwhile
    // (their events wait in the session for the RESUME), the rest of the matches start.
    const owner = holders[guildShard] as string;
    const victim = s.workers.find((w) => copyOf(w) === owner)!;
    const session = liveSessions(s.discord.sessionLog(), guildShard)[0];
    const killedAt = Date.now();
    await victim.kill('SIGKILL');
    for (const p of players.slice(MATCHES)) s.discord.setVoice(s.guildId, p.discordId, lobby);
    await Promise.all(
      matches.slice(MATCHES / 2).map((m) => s.faceit.play(s.webhook, m.id, ['match_status_ready'])),
    );
    const alive = copies.filter((c) => c !== owner);
    holders = await heldOnce(alive);
    const heldAgainMs = Date.now() - killedAt;
    expect(heldAgainMs).toBeLessThan(30_000);
    // Held again by RESUME: the same session went on.
    const resumed = s.discord.sessionLog().find((e) => e.sessionId === session);
    expect(resumed?.live.at(-1)).toMatchObject({ via: 'resume', to: null });

    // Every match got exactly its two channels, and each player sits in their team's.
    await waitFor(
      () => {
        const state = s.discord.state(s.guildId);
        return matches.every((m, i) => {
          const channels = matchChannels(s, m.id);
          if (channels.length !== 2) return false;
          return [0, 1].every((f) => {
            const ch = channels.find((c) => c.name.endsWith(`faction${f + 1}`));
            const player = players[2 * i + f]!;
            return ch && state.voiceStates[player.discordId] === ch.id;
          });
        })
          ? true
          : undefined;
      },
      { what: 'every match converged, every player moved', timeoutMs: 90_000, intervalMs: 100 },
    );
    const botVoice = s.discord
      .state(s.guildId)
      .channels.filter((c) => c.createdBy === 'bot' && c.type === 'voice');
    expect(botVoice).toHaveLength(MATCHES * 2);
    expect(new Set(botVoice.map((c) => c.name)).size).toBe(MATCHES * 2);
    expect(shardOverlaps(s.discord.sessionLog())).toEqual([]);
    // A slash command reaches the shard's one session, and is answered once, by its new holder.
    const asked = await s.discord.invokeCommand({
      guildId: s.guildId,
      userId: s.guild.members.asker!,
      name: 'whoami',
    });
    await asked.waitForReply(60_000);
    expect(asked.sessionIds).toHaveLength(1);
    expect(asked.responses).toHaveLength(1);
    console.info(
      `ops-shards: guild shard ${guildShard} held again ${heldAgainMs} ms after SIGKILL (lease ${LEASE_MS} ms); identifies ${s.discord.stats().gateway.identifies}, resumes ${s.discord.stats().gateway.resumes}`,
    );
  });
});
