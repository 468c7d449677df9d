import { MATCH_JOBS, shortId } from '@bridge/core';
import { deliveredGuildJobId, runCommand, settledJob, waitFor, withQueue } from '@bridge/testbed';
import { sharedStack } from '@bridge/testbed/fixtures';
import { PermissionFlagsBits as F } from 'discord.js';
import { beforeAll, describe, expect, it } from 'vitest';

// Many communities from one deployment: no DISCORD_GUILD_ID, guilds invite the bot while it runs and
// are configured with /setup; each match gets channels in exactly the guilds whose follows take it.
const HUB1 = '11111111-1111-4111-8111-111111111111';
const HUB2 = '22222222-2222-4222-8222-222222222222';
const MANAGE_CHANNELS = F.ManageChannels;
const CONNECT = F.Connect;
const SPEAK = F.Speak;

const stack = sharedStack({
  workerEnv: { DISCORD_GUILD_ID: '', VC_CATEGORY_ID: '', VC_LOBBY_CHANNEL_ID: '', VC_STAFF_ROLE_ID: '' },
});

type Community = Awaited<ReturnType<typeof invite>>;

/** A community invites the bot (GUILD_CREATE while it runs); an admin configures it with /setup. */
async function invite(name: string, follows: { kind: string; id?: string }[], denyManageChannels = false) {
  const g = stack.discord.seedGuild({
    name,
    roles: [{ name: 'Staff' }, { name: 'Spectators' }],
    channels: [
      {
        name: 'Matches',
        type: 'category',
        overwrites: denyManageChannels ? [{ to: '@bot', deny: String(MANAGE_CHANNELS) }] : [],
      },
      { name: 'Lobby', type: 'voice' },
      { name: 'General', type: 'voice' },
    ],
    members: [{ username: `${name}-admin`, permissions: String(F.ManageGuild) }],
  });
  const admin = g.members[`${name}-admin`] as string;
  const setup = async (subcommand: string, options: Record<string, string>) => {
    return (await runCommand(stack, { guildId: g.guildId, user: admin, name: 'setup', subcommand, options }))
      .content;
  };
  // The commands are registered as the bot joins: the first /setup may come before that.
  const [first, ...rest] = follows;
  const firstReply = await waitFor(() => setup('follow', { ...first! }).catch(() => null), {
    what: `/setup registered in ${name}`,
    timeoutMs: 60_000,
  });
  expect(firstReply).toMatch(/now follows/);
  for (const f of rest) expect(await setup('follow', { ...f })).toMatch(/now follows/);
  expect(await setup('channels', { category: g.channels.Matches!, lobby: g.channels.Lobby! })).toContain(
    'Match channels go in',
  );
  expect(await setup('roles', { staff: g.roles.Staff!, spectator: g.roles.Spectators! })).not.toMatch(
    /Nothing was changed/,
  );
  return { ...g, name };
}

/** A FACEIT player linked to a Discord user who is a member of these communities. */
async function linkedPlayer(nickname: string, memberOf: Community[]) {
  const p = stack.faceit.seedPlayer({ nickname });
  let discordId: string | undefined;
  for (const c of memberOf) {
    discordId = stack.discord.addMember(c.guildId, {
      ...(discordId ? { id: discordId } : {}),
      username: nickname,
    });
  }
  await stack.supabase.query(
    `insert into player_links (discord_id, faceit_id, faceit_nickname, verified_method) values ($1,$2,$3,'oauth')`,
    [discordId, p.id, nickname],
  );
  return { faceitId: p.id, discordId: discordId as string };
}

const channelsOf = (c: Community, matchId: string) =>
  stack.discord
    .state(c.guildId)
    .channels.filter((ch) => ch.name.startsWith(`match-${shortId(matchId)}-`))
    .sort((a, b) => a.name.localeCompare(b.name));

async function waitForChannelsIn(c: Community, matchId: string, n: 0 | 2) {
  const short = shortId(matchId);
  await stack.discord.waitForState(
    c.guildId,
    (s) => (s.channels.filter((ch) => ch.name.startsWith(`match-${short}-`)).length === n ? true : undefined),
    90_000,
  );
}

const rowsOf = (matchId: string) =>
  stack.supabase.query<{ guild_id: string; faction: string; voice_channel_id: string }>(
    'select guild_id, faction, voice_channel_id from active_matches where match_id = $1 order by guild_id, faction',
    [matchId],
  );

describe('one deployment, three communities, two hubs', () => {
  let a: Community;
  let b: Community;
  let c: Community;
  let d: Community;
  beforeAll(async () => {
    a = await invite('alpha', [{ kind: 'hub', id: HUB1 }]);
    b = await invite('bravo', [
      { kind: 'hub', id: HUB1 },
      { kind: 'hub', id: HUB2 },
    ]);
    c = await invite('charlie', [{ kind: 'members' }]);
    // Follows hub 1 too, but the bot may not manage channels in its category.
    d = await invite('delta', [{ kind: 'hub', id: HUB1 }], true);
  }, 240_000);

  it('routes each match to exactly the guilds that follow it, each with its own settings; one failing guild fails alone', async () => {
    const all = [a, b, c, d];

    const p1 = await linkedPlayer('mg_p1', [a, b]);
    const p2 = await linkedPlayer('mg_p2', [a, b]);
    const p3 = await linkedPlayer('mg_p3', [b]);
    const p4 = await linkedPlayer('mg_p4', [b]);
    const p5 = await linkedPlayer('mg_p5', [c]);
    const stranger = stack.faceit.seedPlayer({ nickname: 'mg_stranger' });
    // In voice before the matches start: p1 in alpha, p2 in bravo, p5 in charlie.
    stack.discord.setVoice(a.guildId, p1.discordId, a.channels.General!);
    stack.discord.setVoice(b.guildId, p2.discordId, b.channels.General!);
    stack.discord.setVoice(c.guildId, p5.discordId, c.channels.General!);

    const hub1 = stack.faceit.seedMatch({
      faction1: [p1.faceitId],
      faction2: [p2.faceitId],
      competitionType: 'hub',
      competitionId: HUB1,
    });
    const hub2 = stack.faceit.seedMatch({
      faction1: [p3.faceitId],
      faction2: [p4.faceitId],
      competitionType: 'hub',
      competitionId: HUB2,
    });
    const mm = stack.faceit.seedMatch({ faction1: [p5.faceitId], faction2: [stranger.id] });
    for (const m of [hub1, hub2, mm]) await stack.faceit.play(stack.webhook, m.id, ['match_status_ready']);

    const expected = new Map<string, Community[]>([
      [hub1.id, [a, b]],
      [hub2.id, [b]],
      [mm.id, [c]],
    ]);
    for (const [matchId, guilds] of expected) {
      for (const g of guilds) await waitForChannelsIn(g, matchId, 2);
    }
    // The guild that may not manage channels: its own job failed, saying what to grant; nothing built.
    const denied = await settledJob(
      stack,
      'matches',
      deliveredGuildJobId(stack.faceit, MATCH_JOBS.guildCreated, hub1.id, 'match_status_ready', d.guildId),
      90_000,
    );
    expect(denied.state).toBe('failed');
    expect(denied.failedReason).toMatch(/Manage Channels/);
    for (const g of [a, b]) {
      const job = await settledJob(
        stack,
        'matches',
        deliveredGuildJobId(stack.faceit, MATCH_JOBS.guildCreated, hub1.id, 'match_status_ready', g.guildId),
        90_000,
      );
      expect(job.state, `${g.name}'s job`).toBe('completed');
    }
    // What those jobs keep in Redis (a day, a week when failed) is what they read of the match: its
    // lineups and card fields, not FACEIT's Steam ids, avatars or memberships.
    await withQueue(stack, 'matches', async (queue) => {
      for (const g of [a, b, d]) {
        const id = deliveredGuildJobId(
          stack.faceit,
          MATCH_JOBS.guildCreated,
          hub1.id,
          'match_status_ready',
          g.guildId,
        );
        const data = JSON.stringify((await queue.getJob(id))?.data);
        expect(data, `${g.name}'s job data`).toContain(p1.faceitId);
        for (const field of ['game_player_id', 'game_player_name', 'avatar', 'membership']) {
          expect(data, `${g.name}'s job data`).not.toContain(`"${field}`);
        }
      }
    });

    // Exactly the following guilds, each with its own category and roles; rows per (match, guild).
    for (const [matchId, guilds] of expected) {
      for (const g of all) {
        const chans = channelsOf(g, matchId);
        if (!guilds.includes(g)) {
          expect(chans, `${g.name} has no channel of ${matchId}`).toEqual([]);
          continue;
        }
        expect(chans.map((ch) => ch.name.slice(-8))).toEqual(['faction1', 'faction2']);
        for (const ch of chans) {
          expect(ch.parentId).toBe(g.channels.Matches);
          const staff = ch.permissionOverwrites.find((o) => o.id === g.roles.Staff);
          expect(BigInt(staff?.allow ?? 0) & CONNECT, `${g.name} staff may connect`).toBe(CONNECT);
          const spectators = ch.permissionOverwrites.find((o) => o.id === g.roles.Spectators);
          expect(BigInt(spectators?.deny ?? 0) & SPEAK, `${g.name} spectators may not speak`).toBe(SPEAK);
        }
      }
      expect((await rowsOf(matchId)).map((r) => r.guild_id)).toEqual(
        guilds.flatMap((g) => [g.guildId, g.guildId]).sort(),
      );
    }

    // Players in voice are moved in the guild where they are.
    const teamChannel = (g: Community, matchId: string, faction: string) =>
      channelsOf(g, matchId).find((ch) => ch.name.endsWith(faction))?.id;
    const inVoice = async (g: Community, userId: string, channelId: string | undefined) => {
      expect(channelId).toBeDefined();
      await stack.discord.waitForState(
        g.guildId,
        (s) => (s.voiceStates[userId] === channelId ? true : undefined),
        90_000,
      );
    };
    await inVoice(a, p1.discordId, teamChannel(a, hub1.id, 'faction1'));
    await inVoice(b, p2.discordId, teamChannel(b, hub1.id, 'faction2'));
    await inVoice(c, p5.discordId, teamChannel(c, mm.id, 'faction1'));

    // Finishing cleans up everywhere: players back to their guild's lobby, channels and rows gone.
    for (const m of [hub1, hub2, mm]) await stack.faceit.play(stack.webhook, m.id, ['match_status_finished']);
    for (const [matchId, guilds] of expected) {
      for (const g of guilds) await waitForChannelsIn(g, matchId, 0);
      await waitFor(async () => (await rowsOf(matchId)).length === 0, {
        what: `rows of ${matchId} gone`,
        timeoutMs: 90_000,
      });
    }
    expect(stack.discord.state(a.guildId).voiceStates[p1.discordId]).toBe(a.channels.Lobby);
    expect(stack.discord.state(b.guildId).voiceStates[p2.discordId]).toBe(b.channels.Lobby);
    expect(stack.discord.state(c.guildId).voiceStates[p5.discordId]).toBe(c.channels.Lobby);
    expect(channelsOf(d, hub1.id)).toEqual([]);
  }, 600_000);

  it("one guild's long Discord rate limit does not hold another guild's channels", async () => {
    const p1 = await linkedPlayer('rl_p1', [a, b]);
    const p2 = await linkedPlayer('rl_p2', [a, b]);
    // Every channel create in bravo meets a sublimit (429, Retry-After 6 s: twice what the bridge waits out
    // in place, LONG_RATE_LIMIT_MS); alpha's creates do not.
    stack.discord.setFault({ route: `POST /guilds/${b.guildId}/channels`, kind: 'sublimit', retryAfter: 6 });
    try {
      const m = stack.faceit.seedMatch({
        faction1: [p1.faceitId],
        faction2: [p2.faceitId],
        competitionType: 'hub',
        competitionId: HUB1,
      });
      await stack.faceit.play(stack.webhook, m.id, ['match_status_ready']);
      const bravoJob = deliveredGuildJobId(
        stack.faceit,
        MATCH_JOBS.guildCreated,
        m.id,
        'match_status_ready',
        b.guildId,
      );
      // bravo's job waits in the delayed set for Discord (not in a slot), while alpha's channels come.
      await withQueue(stack, 'matches', (queue) =>
        waitFor(async () => (await queue.getJobState(bravoJob)) === 'delayed', {
          what: "bravo's build rescheduled for the rate limit",
          timeoutMs: 90_000,
        }),
      );
      await waitForChannelsIn(a, m.id, 2);
      expect(channelsOf(b, m.id)).toEqual([]);
      stack.discord.clearFaults();
      await waitForChannelsIn(b, m.id, 2);
      expect(
        (await settledJob(stack, 'matches', bravoJob, 90_000)).state,
        "bravo's job once Discord lets it through",
      ).toBe('completed');
      await stack.faceit.play(stack.webhook, m.id, ['match_status_finished']);
      for (const g of [a, b]) await waitForChannelsIn(g, m.id, 0);
    } finally {
      stack.discord.clearFaults();
    }
  }, 300_000);
});
