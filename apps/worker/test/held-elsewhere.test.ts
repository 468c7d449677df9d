import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWorkerRedis, ShardLeases } from '@bridge/core';
import {
  type AppProcess,
  runCommand,
  type Stack,
  startAppProcess,
  startStack,
  waitFor,
} from '@bridge/testbed';
import { afterEach, expect, it } from 'vitest';
import { CARDS_BOT_PERMISSIONS, cardsOn, waitForCard, waitForChannels } from './matches-helpers.ts';
import { shardedCommunitiesEnv } from './shard-helpers.ts';

// Issue 26: cards and level roles reach their guild through the one door (discord/guild.ts) whichever copy
// holds the guild's shard. The copy that runs every job here holds no shard: another process (shard-copy.ts,
// a gateway-only copy whose id sorts first, so the even split gives it the one shard) holds it, and the job
// runner never handled an event or a command of that guild, so nothing of it is in its client.
const LEASE_MS = 4000;
const COPY = join(dirname(fileURLToPath(import.meta.url)), 'shard-copy.ts');
const GATEWAY_COPY = 'a-gateway-only';

let stack: Stack | undefined;
let gateway: AppProcess | undefined;
afterEach(async () => {
  await gateway?.kill('SIGKILL');
  gateway = undefined;
  await stack?.stop();
  stack = undefined;
});

it('a copy that does not hold the guild’s shard posts its match card and grants the level roles', async () => {
  const s = await startStack({
    workers: 1,
    // No home guild: a community set up with /setup, so no copy reads the guild at start.
    workerEnv: shardedCommunitiesEnv(1, LEASE_MS),
    guild: {
      botPermissions: CARDS_BOT_PERMISSIONS,
      members: [{ username: 'owner' }],
      channels: [{ name: 'match-cards', type: 'text' }],
    },
  });
  stack = s;
  const owner = (s.guild.members as Record<string, string>).owner as string;
  const setup = async (subcommand: string, options: Record<string, string | boolean | number>) =>
    (await runCommand(s, { user: owner, name: 'setup', subcommand, options })).content;

  // The first copy (alone, so it holds the shard) answers the admin's /setup.
  await s.workers[0]!.waitForLine((l) => l.msg === 'gateway shard live', 'the shard live', 60_000);
  const hub = randomUUID();
  expect(await setup('follow', { kind: 'hub', id: hub })).toMatch(/now follows/);
  expect(
    await setup('channels', {
      category: s.guild.channels.Matches as string,
      lobby: s.guild.channels.Lobby as string,
    }),
  ).toContain('Match channels go in');
  await cardsOn(s);
  expect(await setup('levels', { create: true })).toContain('Level roles are on');
  const players = [4, 9].map((level, i) => {
    const nickname = `held_${i}`;
    const p = s.faceit.seedPlayer({ nickname, skillLevel: level });
    return { faceitId: p.id, discordId: s.discord.addMember(s.guildId, { username: nickname }), nickname };
  });
  for (const p of players) {
    await s.supabase.query(
      `insert into player_links (discord_id, faceit_id, faceit_nickname, verified_method) values ($1,$2,$3,'oauth')`,
      [p.discordId, p.faceitId, p.nickname],
    );
  }

  // That copy goes; the gateway-only copy takes the shard, then a fresh copy joins and runs every job.
  expect(await s.workers[0]!.kill('SIGTERM')).toBe(0); // a graceful stop: its shard handed over
  gateway = startAppProcess(COPY, {
    REDIS_URL: s.redisUrl,
    QUEUE_PREFIX: s.prefix,
    COPY_ID: GATEWAY_COPY,
    DISCORD_TOKEN: s.discord.botToken,
    DISCORD_API_URL: s.discord.apiUrl,
    DISCORD_SHARD_COUNT: '1',
    LEASE_MS: String(LEASE_MS),
  });
  await gateway.waitForLine((l) => l.msg === 'copy started', 'the gateway-only copy started', 60_000);
  const redis = createWorkerRedis(s.redisUrl);
  try {
    const leases = new ShardLeases(redis, { prefix: s.prefix, copyId: 'observer', leaseMs: LEASE_MS });
    await waitFor(async () => ((await leases.holders(1))[0] === GATEWAY_COPY ? true : undefined), {
      what: 'the gateway-only copy holds the shard',
      timeoutMs: 60_000,
    });
    const runner = await s.startWorker();
    const ready = runner.lines.find((l) => l.msg === 'worker ready')?.shards as { held: number[] };
    expect(ready.held).toEqual([]);

    for (const p of players) s.discord.setVoice(s.guildId, p.discordId, s.guild.channels.Lobby as string);
    const match = s.faceit.seedMatch({
      faction1: [players[0]!.faceitId],
      faction2: [players[1]!.faceitId],
      competitionType: 'hub',
      competitionId: hub,
    });
    await s.faceit.play(s.webhook, match.id, ['match_object_created', 'match_status_configuring']);
    await waitForChannels(s, match.id);
    await waitForCard(s, match.id, 'posted by the copy without the shard', () => true);
    await s.faceit.play(s.webhook, match.id, ['match_status_ready', 'match_status_finished']);
    const roleNamed = (name: string) => s.discord.state(s.guildId).roles.find((r) => r.name === name)?.id;
    for (const [p, level] of [
      [players[0]!, 4],
      [players[1]!, 9],
    ] as const) {
      await s.discord.waitForState(
        s.guildId,
        (st) =>
          st.members
            .find((m) => m.id === p.discordId)
            ?.roles.includes(roleNamed(`FACEIT Level ${level}`) ?? '')
            ? true
            : undefined,
        60_000,
      );
    }
    // Still nobody but the gateway-only copy held the shard: the jobs ran where the guild was not held.
    expect((await leases.holders(1))[0]).toBe(GATEWAY_COPY);
  } finally {
    redis.disconnect();
  }
});
