import { createProducerRedis, createQueue, QUEUES } from '@bridge/core';
import { deliveredJobId, runCommand, waitFor } from '@bridge/testbed';
import { sharedStack } from '@bridge/testbed/fixtures';
import { PermissionFlagsBits as F, REST, Routes } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { matchChannels, seedLinkedPlayers, waitForChannels } from './matches-helpers.ts';

// /setup and /status through real discord.js against the emulator, the settings in Postgres behind
// PostgREST; and the guild lifecycle: the bot invited while running, then removed.
let users: Record<string, string>;
const HUB = '11111111-1111-4111-8111-111111111111';

const stack = sharedStack(
  {
    // Single-guild mode that also serves any other server that invites the bot (the lifecycle test's).
    workerEnv: { BRIDGE_GUILDS: '*' },
    guild: {
      members: [
        { username: 'owner' },
        { username: 'mod', permissions: String(F.ManageGuild) },
        { username: 'alice' },
      ],
      roles: [{ name: 'Spectators' }],
      channels: [{ name: 'Scrims', type: 'category' }],
    },
  },
  async () => {
    users = stack.guild.members as Record<string, string>;
  },
);

async function run(
  user: string,
  name: string,
  subcommand?: string,
  options: Record<string, string | number> = {},
  guildId = stack.guildId,
): Promise<string> {
  const reply = await runCommand(stack, {
    guildId,
    user,
    name,
    options,
    ...(subcommand ? { subcommand } : {}),
  });
  expect(reply.ephemeral).toBe(true);
  return reply.content;
}

const settings = async (guildId = stack.guildId) =>
  (await stack.supabase.query('select * from guild_settings where guild_id = $1', [guildId]))[0];
const follows = async (guildId = stack.guildId) =>
  (
    await stack.supabase.query(
      'select kind, target_id from guild_follows where guild_id = $1 order by kind',
      [guildId],
    )
  ).map((r) => `${r.kind}:${r.target_id}`);

describe('/setup and /status', () => {
  it('single-guild mode: DISCORD_GUILD_ID + VC_* seeded the guild, which follows every match', async () => {
    expect(await settings()).toMatchObject({
      category_id: stack.guild.channels.Matches,
      lobby_channel_id: stack.guild.channels.Lobby,
      staff_role_id: stack.guild.roles.Staff,
      source: 'env',
    });
    expect(await follows()).toEqual(['all:']);
  });

  it('refuses members without Manage Server and changes nothing', async () => {
    const before = await settings();
    expect(await run(users.alice!, 'setup', 'follow', { kind: 'hub', id: HUB })).toMatch(
      /Only members with the Manage Server permission can use \/setup\. Nothing was changed\./,
    );
    expect(await run(users.alice!, 'setup', 'channels', { category: stack.guild.channels.Scrims! })).toMatch(
      /Manage Server/,
    );
    expect(await run(users.alice!, 'status')).toMatch(/Manage Server/);
    expect(await follows()).toEqual(['all:']);
    expect(await settings()).toEqual(before);
  });

  it('follow / unfollow: a bad id is explained and stored nowhere; repeats are told apart', async () => {
    expect(await run(users.mod!, 'setup', 'follow', { kind: 'hub', id: 'my-hub' })).toMatch(
      /Not followed: "my-hub" is not a FACEIT hub id.*Nothing was changed\./s,
    );
    expect(await run(users.mod!, 'setup', 'follow', { kind: 'hub' })).toMatch(/hub needs an id/);
    expect(await run(users.mod!, 'setup', 'follow', { kind: 'members', id: HUB })).toMatch(
      /members takes no id/,
    );
    expect(await follows()).toEqual(['all:']);

    expect(await run(users.mod!, 'setup', 'follow', { kind: 'hub', id: HUB })).toBe(
      `This server now follows hub \`${HUB}\`.`,
    );
    expect(await run(users.mod!, 'setup', 'follow', { kind: 'hub', id: HUB })).toMatch(/already follows/);
    expect(await follows()).toEqual(['all:', `hub:${HUB}`]);
    expect(await run(users.mod!, 'setup', 'unfollow', { kind: 'members' })).toMatch(/did not follow/);
    expect(await run(users.mod!, 'setup', 'unfollow', { kind: 'hub', id: HUB })).toMatch(/no longer follows/);
    expect(await follows()).toEqual(['all:']);
  });

  it('channels: a channel of the wrong type is refused and nothing changes; a right one is stored', async () => {
    const before = await settings();
    const reply = await run(users.mod!, 'setup', 'channels', {
      category: stack.guild.channels.Lobby!,
      lobby: stack.guild.channels.General!,
    });
    expect(reply).toContain(`<#${stack.guild.channels.Lobby}> is not a category of this server`);
    expect(reply).toContain('Nothing was changed.');
    expect(await run(users.mod!, 'setup', 'channels', { lobby: stack.guild.channels.Matches! })).toMatch(
      /is not a voice channel of this server.*Nothing was changed\./s,
    );
    expect(await settings()).toEqual(before);

    expect(
      await run(users.mod!, 'setup', 'channels', {
        category: stack.guild.channels.Scrims!,
        lobby: stack.guild.channels.General!,
      }),
    ).toContain(`Match channels go in <#${stack.guild.channels.Scrims}>.`);
    expect(await settings()).toMatchObject({
      category_id: stack.guild.channels.Scrims,
      lobby_channel_id: stack.guild.channels.General,
    });
  });

  it('roles: @everyone, a managed role and one role for both are refused; a spectator role is stored', async () => {
    const before = await settings();
    expect(await run(users.mod!, 'setup', 'roles', { staff: stack.guildId })).toMatch(
      /@everyone would open match channels to everyone.*Nothing was changed\./s,
    );
    // A managed role (here the bot's own; likewise Server Booster or a subscription role) is held by
    // whoever an integration says: match channels would be open to whoever boosts or subscribes.
    expect(
      await run(users.mod!, 'setup', 'roles', {
        spectator: stack.guild.botRoleId,
        staff: stack.guild.roles.Staff!,
      }),
    ).toMatch(
      /spectator: <@&\d+> cannot be the spectator role: it belongs to an integration or a bot.*Nothing was changed\./s,
    );
    const spectators = stack.guild.roles.Spectators!;
    expect(await run(users.mod!, 'setup', 'roles', { staff: spectators, spectator: spectators })).toMatch(
      /the same role/,
    );
    expect(await settings()).toEqual(before);
    expect(await run(users.mod!, 'setup', 'roles', { spectator: spectators })).toContain(
      'may join and listen in every match channel, not speak',
    );
    expect((await settings())?.spectator_role_id).toBe(spectators);
  });

  it('show: the settings, the follows and a permission check that passes here', async () => {
    const reply = await run(users.mod!, 'setup', 'show');
    expect(reply).toContain(`category: <#${stack.guild.channels.Scrims}>`);
    expect(reply).toContain(`spectator role: <@&${stack.guild.roles.Spectators}>`);
    expect(reply).toContain('- all');
    expect(reply).toContain(`category: ✅ the bot has what it needs in <#${stack.guild.channels.Scrims}>`);
    expect(reply).toContain(`lobby: ✅ the bot has what it needs in <#${stack.guild.channels.General}>`);
    expect(reply).toContain('server: ✅ the bot role has what it needs');
    // The default bot role lacks Set Voice Channel Status: named, with what is lost without it.
    expect(reply).toContain(
      `voice status: ⚠️ team channels get no status line with the map and stage (match cards): give the bot role Set Voice Channel Status in <#${stack.guild.channels.Scrims}>`,
    );
    expect(reply).not.toContain('voice activity');
    // The single-guild mode's own server keeps counting nickname links.
    expect(reply).toContain('linking: nickname-allowed');
  });

  it('linking: only a known policy is stored, and show says what each means', async () => {
    expect(await run(users.mod!, 'setup', 'linking', { policy: 'verified-only' })).toContain(
      'Linking policy: verified-only',
    );
    expect((await settings())?.link_policy).toBe('verified-only');
    expect(await run(users.mod!, 'setup', 'show')).toMatch(
      /linking: verified-only: only links proven by signing in/,
    );
    expect(await run(users.alice!, 'setup', 'linking', { policy: 'nickname-allowed' })).toMatch(
      /Only members with the Manage Server permission.*Nothing was changed/,
    );
    expect(await run(users.mod!, 'setup', 'linking', { policy: 'nickname-allowed' })).toContain(
      'Linking policy: nickname-allowed',
    );
    expect((await settings())?.link_policy).toBe('nickname-allowed');
  });

  it('status: the active matches of this guild with their channels and start', async () => {
    expect(await run(users.mod!, 'status')).toBe('No active matches with voice channels in this server.');
    const started = new Date('2026-12-01T10:00:00Z');
    await stack.supabase.query(
      `insert into match_states (match_id, created_at, status) values ('1-live', $1, 'active'), ('1-over', $1, 'ended')`,
      [started],
    );
    await stack.supabase.query(
      `insert into active_matches (match_id, faction, guild_id, voice_channel_id) values
       ('1-live', 'faction1', $1, '900000000000000001'), ('1-live', 'faction2', $1, '900000000000000002'),
       ('1-over', 'faction1', $1, '900000000000000003'), ('1-else', 'faction1', '100000000000000099', '900000000000000004')`,
      [stack.guildId],
    );
    const reply = await run(users.mod!, 'status');
    expect(reply).toBe(
      [
        '**1 active match**',
        `- \`1-live\`: faction1 <#900000000000000001>, faction2 <#900000000000000002>, started <t:${started.getTime() / 1000}:R>`,
      ].join('\n'),
    );
  });
});

describe('guild lifecycle', () => {
  it('a guild that invites the bot while it runs gets the commands at once; removing the bot forgets its rows', async () => {
    // The bot may see and connect but not manage channels there: /setup show says what to grant.
    const late = stack.discord.seedGuild({
      name: 'Late Community',
      channels: [
        { name: 'Voice', type: 'category' },
        { name: 'Hall', type: 'voice' },
      ],
      members: [{ username: 'boss' }],
      botPermissions: String(F.ViewChannel | F.Connect),
    });
    const boss = late.members.boss!;
    const first = await waitFor(
      () => run(boss, 'setup', 'follow', { kind: 'members' }, late.guildId).catch(() => null),
      { what: '/setup registered in the new guild' },
    );
    expect(first).toBe('This server now follows matches of linked members.');
    expect(
      await run(
        boss,
        'setup',
        'channels',
        { category: late.channels.Voice!, lobby: late.channels.Hall! },
        late.guildId,
      ),
    ).toContain('Match channels go in');
    const show = await run(boss, 'setup', 'show', undefined, late.guildId);
    expect(show).toContain(
      `category: ❌ give the bot role Manage Channels, Manage Permissions, Move Members in <#${late.channels.Voice}>`,
    );
    expect(show).toContain(`lobby: ❌ give the bot role Move Members in <#${late.channels.Hall}>`);
    expect(show).toContain(
      'server: ❌ give the bot role Manage Channels, Manage Roles, Move Members in Server Settings → Roles',
    );
    // A server set up from now on counts verified links only until its admins say otherwise.
    expect(await settings(late.guildId)).toMatchObject({
      source: 'setup',
      category_id: late.channels.Voice,
      link_policy: 'verified-only',
    });
    await stack.supabase.query(
      `insert into active_matches (match_id, faction, guild_id, voice_channel_id) values ('1-late', 'faction1', $1, '900000000000000010')`,
      [late.guildId],
    );

    stack.discord.removeBot(late.guildId);
    await waitFor(async () => !(await settings(late.guildId)), { what: 'the removed guild forgotten' });
    expect(await follows(late.guildId)).toEqual([]);
    expect(
      await stack.supabase.query('select 1 from active_matches where guild_id = $1', [late.guildId]),
    ).toEqual([]);
    // The seeded guild is untouched.
    expect(await follows()).toEqual(['all:']);
  });
});

describe('follows decide which matches the guild gets', () => {
  /** Plays match_status_ready and answers the job's result once it completed. */
  async function ready(matchId: string) {
    await stack.faceit.play(stack.webhook, matchId, ['match_status_ready']);
    const redis = createProducerRedis(stack.redisUrl);
    const queue = createQueue(QUEUES.matches, redis, stack.prefix);
    try {
      const id = deliveredJobId(stack.faceit, matchId, 'match_status_ready');
      await waitFor(async () => (await queue.getJob(id))?.isCompleted(), { what: `job ${id} completed` });
      return (await queue.getJob(id))?.returnvalue;
    } finally {
      await queue.close();
      redis.disconnect();
    }
  }

  it('narrowed to one hub, then members: only the matches those follows take get channels', async () => {
    const [a, b, c, d] = await seedLinkedPlayers(stack, 'routing', 4);
    const otherHub = '22222222-2222-4222-8222-222222222222';
    await run(users.mod!, 'setup', 'unfollow', { kind: 'all' });
    await run(users.mod!, 'setup', 'follow', { kind: 'hub', id: HUB });
    expect(await follows()).toEqual([`hub:${HUB}`]);
    expect(await run(users.mod!, 'setup', 'channels', { user_limit: 150 })).toMatch(
      /user_limit 150 is out of range.*Nothing was changed\./s,
    );
    expect(await run(users.mod!, 'setup', 'channels', { user_limit: 6 })).toContain(
      'New match channels hold at most 6 members.',
    );

    const followed = stack.faceit.seedMatch({
      faction1: [a!.faceitId],
      faction2: [b!.faceitId],
      competitionType: 'hub',
      competitionId: HUB,
    });
    const other = stack.faceit.seedMatch({
      faction1: [c!.faceitId],
      faction2: [d!.faceitId],
      competitionType: 'hub',
      competitionId: otherHub,
    });
    const mm = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [] });
    expect(await ready(other.id)).toEqual({ status: 'not-followed' });
    expect(await ready(mm.id)).toEqual({ status: 'not-followed' });
    expect((await ready(followed.id))?.status).toBe('converged');
    await waitForChannels(stack, followed.id);
    const rest = new REST({ api: stack.discord.apiUrl }).setToken(stack.discord.botToken);
    for (const ch of matchChannels(stack, followed.id)) {
      expect(((await rest.get(Routes.channel(ch.id))) as { user_limit: number }).user_limit).toBe(6);
    }
    expect(matchChannels(stack, other.id)).toEqual([]);
    expect(matchChannels(stack, mm.id)).toEqual([]);
    // The channel lease the job asked for in this (home) guild while routing was undecided went back,
    // with its intent marker: a later build of that match here would otherwise wait, then list the guild.
    for (const id of [other.id, mm.id]) {
      expect(
        await stack.supabase.query('select lease_key from bridge_leases where lease_key like $1', [
          `%${id}%`,
        ]),
      ).toEqual([]);
    }

    // Following members: a matchmaking match with a linked member of this guild gets its channel.
    await run(users.mod!, 'setup', 'follow', { kind: 'members' });
    const stranger = stack.faceit.seedPlayer({ nickname: 'routing_stranger' });
    const stranger2 = stack.faceit.seedPlayer({ nickname: 'routing_stranger2' });
    const mm2 = stack.faceit.seedMatch({ faction1: [c!.faceitId], faction2: [stranger.id] });
    expect((await ready(mm2.id))?.status).toBe('converged');
    await waitForChannels(stack, mm2.id);
    // ...and one without a linked member does not.
    const mm3 = stack.faceit.seedMatch({ faction1: [stranger.id], faction2: [stranger2.id] });
    expect(await ready(mm3.id)).toEqual({ status: 'not-followed' });
    expect(matchChannels(stack, mm3.id)).toEqual([]);
  });
});
