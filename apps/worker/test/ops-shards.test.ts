import { randomUUID } from 'node:crypto';
import { createWorkerRedis, type RedisClient, ShardLeases, shortId } from '@bridge/core';
import { shardOverlaps } from '@bridge/sandbox';
import {
  type AppProcess,
  failedJobs,
  type LocalRedisCluster,
  runCommand,
  type Stack,
  startRedisCluster,
  startStack,
  testPrefix,
  waitFor,
} from '@bridge/testbed';
import { afterEach, describe, expect, it } from 'vitest';
import { seedLinkedPlayers } from './matches-helpers.ts';
import { guildIdOn, liveByShard, longestGap, shardedCommunitiesEnv } from './shard-helpers.ts';

// The scale test of issue 18 with real worker processes: 3 copies share the gateway's 4 shards through Redis
// leases; 8 communities (2 per shard, invited while the copies run, configured with /setup through the
// shard's owner) each follow their own hub and get matches; any copy runs any job (voice states come from
// the shard owners' mirror in Redis). Mid-load a copy is SIGKILLed, then a 4th copy joins. Run once on a
// single Redis and once on a 3-master Redis Cluster.
const SHARDS = 4;
const LEASE_MS = 5000;
const GUILDS = 8;
const MATCHES_PER_GUILD = 2;
const ADMIN = '32'; // Manage Guild: may run /setup

let stack: Stack | undefined;
let redis: RedisClient | undefined;
let cluster: LocalRedisCluster | undefined;
afterEach(async () => {
  redis?.disconnect();
  redis = undefined;
  await stack?.stop();
  stack = undefined;
  await cluster?.stop();
  cluster = undefined;
});

const copyOf = (w: AppProcess) =>
  (w.lines.find((l) => l.msg === 'worker ready')?.shards as { copy?: string } | undefined)?.copy as string;

interface Community {
  guildId: string;
  shard: number;
  hub: string;
  lobby: string;
  category: string;
  players: { faceitId: string; discordId: string }[];
  matches: string[];
}

/** A community invites the bot (GUILD_CREATE on its shard) and its admin sets it up with /setup. */
async function invite(s: Stack, shard: number, k: number): Promise<Community> {
  const name = `s${shard}g${k}`;
  const g = s.discord.seedGuild({
    id: guildIdOn(shard, k, SHARDS),
    name,
    channels: [
      { name: 'Matches', type: 'category' },
      { name: 'Lobby', type: 'voice' },
    ],
    members: [{ username: `${name}-admin`, permissions: ADMIN }],
  });
  const admin = g.members[`${name}-admin`] as string;
  const setup = async (subcommand: string, options: Record<string, string>) => {
    const { record, content } = await runCommand(s, {
      guildId: g.guildId,
      user: admin,
      name: 'setup',
      subcommand,
      options,
    });
    // Answered once, by the one copy holding the guild's shard.
    expect(record.sessionIds).toHaveLength(1);
    expect(record.responses).toHaveLength(1);
    return content;
  };
  const hub = randomUUID();
  // The commands are registered as the bot joins: the first /setup may come before that.
  const first = await waitFor(() => setup('follow', { kind: 'hub', id: hub }).catch(() => null), {
    what: `/setup registered in ${name}`,
    timeoutMs: 60_000,
  });
  expect(first).toMatch(/now follows/);
  expect(
    await setup('channels', { category: g.channels.Matches as string, lobby: g.channels.Lobby as string }),
  ).toContain('Match channels go in');
  const players = await seedLinkedPlayers(s, name, MATCHES_PER_GUILD * 2, g.guildId);
  const matches = Array.from(
    { length: MATCHES_PER_GUILD },
    (_, m) =>
      s.faceit.seedMatch({
        faction1: [players[2 * m]!.faceitId],
        faction2: [players[2 * m + 1]!.faceitId],
        competitionType: 'hub',
        competitionId: hub,
      }).id,
  );
  return {
    guildId: g.guildId,
    shard,
    hub,
    lobby: g.channels.Lobby as string,
    category: g.channels.Matches as string,
    players,
    matches,
  };
}

async function scaleScenario(redisUrl?: string) {
  stack = await startStack({
    workers: 3,
    ...(redisUrl ? { redisUrl, prefix: testPrefix('shards', { tagged: false }) } : {}),
    // Many communities, no home guild: each one is set up with /setup.
    workerEnv: shardedCommunitiesEnv(SHARDS, LEASE_MS),
    discord: {
      identify: { maxConcurrency: 2 },
      rateLimits: { perRoute: { limit: 50, windowMs: 1000 }, global: 100 },
    },
  });
  const s = stack;
  redis = createWorkerRedis(s.redisUrl);
  const leases = new ShardLeases(redis, { prefix: s.prefix, copyId: 'observer', leaseMs: LEASE_MS });

  // Every shard held by one of `alive`, one live session each (the emulator's view); `balanced`: every
  // live copy holds a share (a copy that starts later takes its share by handover).
  const heldBy = (alive: string[], what: string, balanced = false) =>
    waitFor(
      async () => {
        const holders = await leases.holders(SHARDS);
        const ok =
          holders.every((h) => h !== null && alive.includes(h)) &&
          liveByShard(s.discord.sessionLog(), SHARDS).every((l) => l.length === 1) &&
          (!balanced || alive.every((c) => holders.includes(c)));
        return ok ? (holders as string[]) : undefined;
      },
      { what, timeoutMs: 90_000, intervalMs: 50 },
    );
  const copies = s.workers.map(copyOf);
  expect(copies.every(Boolean)).toBe(true);
  let holders = await heldBy(copies, 'every shard held, each of 3 copies a share', true);
  expect(new Set(holders).size).toBe(3);
  // What the shard alerts read: each shard in exactly one copy's metrics, every copy on the same count.
  await waitFor(
    async () => {
      const texts = await Promise.all(
        s.workers.map(async (w) => {
          const port = w.lines.find((l) => l.msg === 'worker ready')?.metricsPort;
          return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        }),
      );
      const lines = texts.flatMap((t) => t.split('\n'));
      const held = lines
        .filter((l) => l.startsWith('bridge_gateway_shard_held{') && l.endsWith(' 1'))
        .map((l) => /shard="(\d+)"/.exec(l)?.[1])
        .sort();
      const counts = lines.filter((l) => l.startsWith('bridge_gateway_shard_count{'));
      return held.join() === '0,1,2,3' && counts.length === 3 && counts.every((c) => c.endsWith(' 4'));
    },
    { what: 'the shard metrics agree with the leases', timeoutMs: 30_000 },
  );

  const communities: Community[] = [];
  for (let shard = 0; shard < SHARDS; shard++) {
    for (let k = 0; k < GUILDS / SHARDS; k++) communities.push(await invite(s, shard, k));
  }
  // The first match's players of each community are in voice before it starts.
  for (const c of communities) {
    for (const p of c.players.slice(0, 2)) s.discord.setVoice(c.guildId, p.discordId, c.lobby);
  }
  await Promise.all(communities.map((c) => s.faceit.play(s.webhook, c.matches[0]!, ['match_status_ready'])));

  // SIGKILL a copy mid-load (the one holding the most shards); the other players connect meanwhile (their
  // events wait in the sessions for the RESUME) and the second matches start.
  holders = await leases.holders(SHARDS).then((h) => h as string[]);
  const owner = copies.reduce((a, b) =>
    holders.filter((h) => h === b).length > holders.filter((h) => h === a).length ? b : a,
  );
  const victimShards = holders.flatMap((h, i) => (h === owner ? [i] : []));
  const victimSessions = victimShards.map((sh) => liveByShard(s.discord.sessionLog(), SHARDS)[sh]![0]!);
  const victim = s.workers.find((w) => copyOf(w) === owner) as AppProcess;
  const killedAt = Date.now();
  expect(await victim.kill('SIGKILL')).toBe('SIGKILL');
  for (const c of communities) {
    for (const p of c.players.slice(2)) s.discord.setVoice(c.guildId, p.discordId, c.lobby);
  }
  await Promise.all(communities.map((c) => s.faceit.play(s.webhook, c.matches[1]!, ['match_status_ready'])));
  const alive = copies.filter((c) => c !== owner);
  holders = await heldBy(alive, 'the killed copy’s shards held again');
  const heldAgainMs = Date.now() - killedAt;
  expect(heldAgainMs).toBeLessThan(30_000);
  // Held again by RESUME: the killed copy's sessions went on.
  for (const id of victimSessions) {
    const entry = s.discord.sessionLog().find((e) => e.sessionId === id);
    expect(entry?.live.at(-1)).toMatchObject({ via: 'resume', to: null });
  }

  // Every match got exactly its two channels, in its own community only, and each player sits in theirs.
  const converged = (c: Community) => {
    const state = s.discord.state(c.guildId);
    return c.matches.every((matchId, m) => {
      const channels = state.channels.filter((ch) => ch.name.startsWith(`match-${shortId(matchId)}-`));
      if (channels.length !== 2) return false;
      return [0, 1].every((f) => {
        const ch = channels.find((x) => x.name.endsWith(`faction${f + 1}`));
        return ch?.parentId === c.category && state.voiceStates[c.players[2 * m + f]!.discordId] === ch.id;
      });
    });
  };
  await waitFor(() => communities.every(converged) || undefined, {
    what: 'every match in every community converged, every player moved',
    timeoutMs: 120_000,
    intervalMs: 100,
  });
  for (const c of communities) {
    const bot = s.discord
      .state(c.guildId)
      .channels.filter((x) => x.createdBy === 'bot' && x.type === 'voice');
    expect(bot).toHaveLength(MATCHES_PER_GUILD * 2);
    expect(new Set(bot.map((x) => x.name)).size).toBe(MATCHES_PER_GUILD * 2);
  }
  const expected = communities
    .map((c) => ({ guild_id: c.guildId, n: MATCHES_PER_GUILD * 2 }))
    .sort((a, b) => a.guild_id.localeCompare(b.guild_id));
  const rows = () =>
    s.supabase.query<{ guild_id: string; n: number }>(
      'select guild_id, count(*)::int as n from active_matches group by guild_id order by guild_id',
    );
  // A channel's row is written while its players are moved: the last rows may follow the last move.
  await waitFor(async () => JSON.stringify(await rows()) === JSON.stringify(expected) || undefined, {
    what: 'every channel recorded',
  });
  expect(await rows()).toEqual(expected);
  expect(await failedJobs(s)).toBe(0);
  expect(shardOverlaps(s.discord.sessionLog())).toEqual([]);

  // A new copy (the 4th started) joins: the shards rebalance onto it, never a shard without a session as long as a lease.
  const joinedAt = Date.now();
  const fourth = await s.startWorker();
  const after = await heldBy([...alive, copyOf(fourth)], 'a share for the 4th copy', true);
  expect(new Set(after).size).toBe(alive.length + 1);
  const gap = longestGap(s.discord.sessionLog(), SHARDS, joinedAt, Date.now());
  expect(gap).toBeLessThan(LEASE_MS);
  expect(shardOverlaps(s.discord.sessionLog())).toEqual([]);
  // The new owner answers its community's slash command, once.
  const moved = communities.find((c) => after[c.shard] === copyOf(fourth)) as Community;
  const { record: asked } = await runCommand(s, {
    guildId: moved.guildId,
    user: moved.players[0]!.discordId,
    name: 'whoami',
  });
  expect(asked.sessionIds).toHaveLength(1);
  expect(asked.responses).toHaveLength(1);
  // No process ever ran into the cluster's slot rules.
  const lines = [...s.apis.map((a) => a.proc), ...s.workers].flatMap((p) => p.lines);
  expect(lines.filter((l) => /CROSSSLOT|MOVED|CLUSTERDOWN/.test(JSON.stringify(l)))).toEqual([]);
  const gw = s.discord.stats().gateway;
  console.info(
    `ops-shards${redisUrl ? ' (cluster)' : ''}: shards ${victimShards.join(',')} held again ${heldAgainMs} ms after SIGKILL (lease ${LEASE_MS} ms); longest gap on rebalance ${gap} ms; identifies ${gw.identifies}, resumes ${gw.resumes}`,
  );
}

describe('shards held by exactly one worker copy, 8 communities', { timeout: 300_000 }, () => {
  it('3 copies share 4 shards; every community’s matches converge once through a SIGKILL; a 4th copy takes its share', async () => {
    await scaleScenario();
  });

  it('the same on a 3-master Redis Cluster', async () => {
    cluster = await startRedisCluster(3);
    await scaleScenario(cluster.url);
  });
});
