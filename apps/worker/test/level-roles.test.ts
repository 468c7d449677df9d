import { deliveredJobId, linkWithFetch, runCommand, settledJob, waitFor } from '@bridge/testbed';
import { sharedStack } from '@bridge/testbed/fixtures';
import { PermissionFlagsBits as F } from 'discord.js';
import { describe, expect, it } from 'vitest';

// Level roles and nicknames end to end: /setup through real discord.js against the emulator (with
// Discord's hierarchy rules), links, a finished match whose FACEIT levels changed, an unlink.
let users: Record<string, string>;
let high: string;
const TEMPLATE = '{nickname} [{level}]';
// The emulator's default bot permissions plus Manage Nicknames.
const BOT =
  F.ViewChannel |
  F.SendMessages |
  F.ManageChannels |
  F.Connect |
  F.MoveMembers |
  F.ManageRoles |
  F.ManageNicknames;
const ADMINISTRATOR = F.Administrator;
const KICK = F.KickMembers;
const MANAGE_SERVER = F.ManageGuild;
const MANAGE_ROLES = F.ManageRoles;

const stack = sharedStack(
  {
    guild: {
      botPermissions: BOT.toString(),
      members: [
        { username: 'owner' },
        { username: 'mod', permissions: String(F.ManageGuild) }, // its role is above the bot's
        { username: 'alice' },
        { username: 'bob' },
        { username: 'boss', permissions: '0' }, // a role above the bot's, nothing else
        { username: 'rolemod', permissions: String(MANAGE_SERVER | MANAGE_ROLES) },
      ],
      // Below the bot's role, so the bot could give it: an admin role a stranger with Manage Server wants.
      roles: [{ name: 'Mods', permissions: String(ADMINISTRATOR) }],
    },
  },
  async () => {
    users = stack.guild.members as Record<string, string>;
    high = stack.discord.createRole(stack.guildId, { name: 'Veterans' });
    stack.discord.moveRole(stack.guildId, high, 99);
  },
);

async function run(
  user: string,
  name: string,
  subcommand?: string,
  options: Record<string, string | number | boolean> = {},
) {
  return (
    await runCommand(stack, { user: users[user]!, name, options, ...(subcommand ? { subcommand } : {}) })
  ).content;
}

const levelColumns = async () =>
  (
    await stack.supabase.query(
      'select level_role_ids, nick_template from guild_settings where guild_id = $1',
      [stack.guildId],
    )
  )[0];
const member = (user: string) => stack.discord.state(stack.guildId).members.find((m) => m.id === users[user]);
const roleNamed = (name: string) => stack.discord.state(stack.guildId).roles.find((r) => r.name === name);
const levelRolesOf = (user: string) =>
  (member(user)?.roles ?? [])
    .map((id) => stack.discord.state(stack.guildId).roles.find((r) => r.id === id)?.name)
    .filter((n) => n?.startsWith('FACEIT Level'));
const skipLines = (user: string) =>
  stack.workers[0]!.lines.filter(
    (l) => l.msg === 'level role / nickname: member skipped' && l.userId === users[user],
  );

/** Waits until the member has exactly these level roles and this nickname. */
async function waitForMember(user: string, roles: string[], nick: string | null) {
  await stack.discord.waitForState(
    stack.guildId,
    () =>
      JSON.stringify(levelRolesOf(user)) === JSON.stringify(roles) && member(user)?.nick === nick
        ? true
        : undefined,
    60_000,
  );
}

const players: Record<string, { id: string; nickname: string }> = {};
/** ELO in the middle of each level's bracket: a finished match (±25) does not change the level. */
const MID_ELO = [300, 625, 825, 975, 1125, 1275, 1440, 1640, 1875, 2200];
function seedPlayer(user: string, level: number) {
  const nickname = `${user}_f`;
  const id = players[user]?.id;
  players[user] = stack.faceit.seedPlayer({
    ...(id ? { id } : {}),
    nickname,
    skillLevel: level,
    elo: MID_ELO[level - 1]!,
  });
}

/** The finish's job has completed: the level sync after the match (part of it) is done. */
async function finishSettled(matchId: string) {
  const job = await settledJob(
    stack,
    'cleanup',
    deliveredJobId(stack.faceit, matchId, 'match_status_finished'),
  );
  expect(job.state).toBe('completed');
}
const roleOf = (id: string) => stack.discord.state(stack.guildId).roles.find((r) => r.id === id);
const levelRoleCount = () =>
  stack.discord.state(stack.guildId).roles.filter((r) => r.name.startsWith('FACEIT Level')).length;

describe('roles the bot may hand out', () => {
  it('attack: a Manage Server member maps a role with Administrator to their level and links: refused, nobody gets it', async () => {
    const mods = stack.guild.roles.Mods!;
    expect(await run('mod', 'setup', 'levels', { level: 7, role: mods })).toMatch(
      /<@&\d+> carries Administrator: .*remove them from the role.*Nothing was changed\./s,
    );
    expect(await levelColumns()).toEqual({ level_role_ids: null, nick_template: null });
    // The rest of the attack: link at that level. The level hook runs before /register answers.
    seedPlayer('mod', 7);
    expect(await run('mod', 'register', undefined, { nickname: 'mod_f' })).toContain('Linked');
    expect(member('mod')?.roles).not.toContain(mods);
    expect(await run('mod', 'unlink')).toContain('Unlinked');
  });

  it('a mapped role must be one the caller could give: Manage Roles and a highest role above it (the owner may)', async () => {
    const regulars = stack.discord.createRole(stack.guildId, { name: 'Regulars' });
    // rolemod's own role goes to the bottom, below Regulars (which stays below the bot).
    const rolemodRole = stack.discord
      .state(stack.guildId)
      .roles.find((r) => r.name === 'rolemod-permissions')!.id;
    stack.discord.moveRole(stack.guildId, rolemodRole, 1);
    expect(await run('mod', 'setup', 'levels', { level: 4, role: regulars })).toMatch(
      /you need the Manage Roles permission.*Nothing was changed\./s,
    );
    expect(await run('rolemod', 'setup', 'levels', { level: 4, role: regulars })).toMatch(
      /at or above your highest role.*Nothing was changed\./s,
    );
    expect(await levelColumns()).toEqual({ level_role_ids: null, nick_template: null });
    expect(await run('owner', 'setup', 'levels', { level: 4, role: regulars })).toContain(
      'Level 4 members get',
    );
    expect((await levelColumns())?.level_role_ids?.[3]).toBe(regulars);
    expect(await run('owner', 'setup', 'levels', { off: true })).toContain('Level roles are off');
  });

  it('create:true refuses to reuse a role of a level name that carries a dangerous permission', async () => {
    const lookalike = stack.discord.createRole(stack.guildId, {
      name: 'FACEIT Level 2',
      permissions: String(KICK),
    });
    expect(await run('mod', 'setup', 'levels', { create: true })).toMatch(
      /<@&\d+> carries Kick Members: .*Nothing was changed\./s,
    );
    expect(levelRoleCount()).toBe(1);
    expect(await levelColumns()).toEqual({ level_role_ids: null, nick_template: null });
    // The admin takes the permission away: the next create:true reuses the role.
    stack.discord.setRolePermissions(stack.guildId, lookalike, '0');
  });
});

describe('level roles and nicknames', () => {
  it('/setup levels: a role above the bot is refused and nothing changes; create:true makes ten roles below it', async () => {
    expect(await run('mod', 'setup', 'levels', { level: 3, role: high })).toMatch(
      /is at or above the bot's highest role.*Nothing was changed\./s,
    );
    expect(await run('mod', 'setup', 'levels', { level: 3, role: stack.guildId })).toMatch(/@everyone/);
    expect(await run('mod', 'setup', 'nicknames', { template: 'FACEIT' })).toMatch(
      /must contain \{nickname\} or \{level\}.*Nothing was changed/s,
    );
    expect(await levelColumns()).toEqual({ level_role_ids: null, nick_template: null });

    const reply = await run('mod', 'setup', 'levels', { create: true });
    expect(reply).toContain('Level roles are on');
    const botTop = stack.discord
      .state(stack.guildId)
      .roles.find((r) => r.id === stack.guild.botRoleId)!.position;
    const ids: string[] = [];
    for (let level = 1; level <= 10; level++) {
      const role = roleNamed(`FACEIT Level ${level}`);
      expect(role?.position).toBeLessThan(botTop);
      ids.push(role!.id);
    }
    // Level 10 highest.
    expect(roleNamed('FACEIT Level 10')!.position).toBeGreaterThan(roleNamed('FACEIT Level 1')!.position);
    expect((await levelColumns())?.level_role_ids).toEqual(ids);
    // Made (or reused) with no permissions at all.
    for (const id of ids) expect(roleOf(id)?.permissions).toBe('0');
    expect(await run('mod', 'setup', 'nicknames', { template: TEMPLATE })).toContain('PlayerName [7]');
    const show = await run('mod', 'setup', 'show');
    expect(show).toContain(`level roles: 1: <@&${ids[0]}>`);
    expect(show).toContain(`nicknames: \`${TEMPLATE}\``);
  });

  it('a link gives the level role and nickname; the owner and a member above the bot keep their nickname, one log line each', async () => {
    seedPlayer('alice', 3);
    seedPlayer('bob', 5);
    seedPlayer('owner', 9);
    seedPlayer('boss', 2);
    // alice links with OAuth (the linkAccount job), the others by nickname.
    const { text } = await linkWithFetch(stack, users.alice!, 'alice_f');
    expect(text).toContain('alice_f');
    await waitForMember('alice', ['FACEIT Level 3'], 'alice_f [3]');
    for (const user of ['bob', 'owner', 'boss']) {
      expect(await run(user, 'register', undefined, { nickname: `${user}_f` })).toContain('Linked');
    }
    await waitForMember('bob', ['FACEIT Level 5'], 'bob_f [5]');
    // A role below the bot may be given to anyone, the owner and members above the bot included.
    await waitForMember('owner', ['FACEIT Level 9'], null);
    await waitForMember('boss', ['FACEIT Level 2'], null);
    await waitFor(() => skipLines('owner').length === 1 && skipLines('boss').length === 1, {
      what: 'skip lines',
    });
    expect(skipLines('owner')[0]?.skipped).toEqual(['nickname: the server owner cannot be renamed by a bot']);
    expect(skipLines('boss')[0]?.skipped).toEqual([
      "nickname: the member's highest role is at or above the bot's",
    ]);
  });

  it('after a finished match the changed level is applied, and nobody else is written to', async () => {
    const match = stack.faceit.seedMatch({
      faction1: [players.alice!.id, players.owner!.id],
      faction2: [players.bob!.id, players.boss!.id],
    });
    await stack.faceit.play(stack.webhook, match.id, ['match_object_created', 'match_status_configuring']);
    await waitFor(
      async () =>
        (await stack.supabase.query('select 1 from match_rosters where match_id = $1', [match.id])).length ===
        4,
      { what: 'rosters stored', timeoutMs: 60_000 },
    );
    seedPlayer('alice', 8);
    const before = stack.discord.stats().byRoute;
    const writes = (s: Record<string, number>) => ({
      add: s['PUT /guilds/:guild/members/:user/roles/:role'] ?? 0,
      remove: s['DELETE /guilds/:guild/members/:user/roles/:role'] ?? 0,
      nick: s['PATCH /guilds/:guild/members/:user'] ?? 0,
    });
    const w0 = writes(before);
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready', 'match_status_finished']);
    await waitForMember('alice', ['FACEIT Level 8'], 'alice_f [8]');
    await finishSettled(match.id);
    const w1 = writes(stack.discord.stats().byRoute);
    // alice: one role added, one removed, one rename; bob, owner and boss were already right.
    expect({ add: w1.add - w0.add, remove: w1.remove - w0.remove, nick: w1.nick - w0.nick }).toEqual({
      add: 1,
      remove: 1,
      nick: 1,
    });
    expect(levelRolesOf('bob')).toEqual(['FACEIT Level 5']);
    // Still one line per skipped member per sync, no retry storm (the lines may still be in the pipe).
    await waitFor(() => skipLines('owner').length >= 2 && skipLines('boss').length >= 2, {
      what: 'the second skip lines',
    });
    expect(skipLines('owner')).toHaveLength(2);
    expect(skipLines('boss')).toHaveLength(2);
  });

  it('/unlink takes the level role and the bridge’s nickname away', async () => {
    expect(await run('alice', 'unlink')).toContain('Unlinked');
    await waitForMember('alice', [], null);
    expect(await run('bob', 'unlink')).toContain('Unlinked');
    await waitForMember('bob', [], null);
  });

  it('a level role moved above the bot is skipped with one log line; the nickname is still given (/admin link)', async () => {
    stack.discord.moveRole(stack.guildId, roleNamed('FACEIT Level 5')!.id, 99);
    const before = skipLines('bob').length;
    expect(await run('mod', 'admin', 'link', { user: users.bob!, nickname: 'bob_f' })).toContain('Linked');
    await waitForMember('bob', [], 'bob_f [5]');
    await waitFor(() => skipLines('bob').length === before + 1, { what: 'one skip line for bob' });
    expect(skipLines('bob').at(-1)?.skipped).toEqual([
      "role FACEIT Level 5: at or above the bot's highest role",
    ]);
  });

  it('a level role edited later to carry a dangerous permission is neither given nor taken, and said once per role', async () => {
    const six = roleNamed('FACEIT Level 6')!.id;
    const three = roleNamed('FACEIT Level 3')!.id;
    seedPlayer('alice', 3);
    expect(await run('alice', 'register', undefined, { nickname: 'alice_f' })).toContain('Linked');
    await waitForMember('alice', ['FACEIT Level 3'], 'alice_f [3]');
    // An admin gives two level roles Administrator after /setup mapped them.
    stack.discord.setRolePermissions(stack.guildId, six, String(ADMINISTRATOR));
    stack.discord.setRolePermissions(stack.guildId, three, String(ADMINISTRATOR));
    seedPlayer('alice', 6);
    seedPlayer('bob', 6);
    const match = stack.faceit.seedMatch({ faction1: [players.alice!.id], faction2: [players.bob!.id] });
    await stack.faceit.play(stack.webhook, match.id, ['match_object_created']);
    await waitFor(
      async () =>
        (await stack.supabase.query('select 1 from match_rosters where match_id = $1', [match.id])).length ===
        2,
      { what: 'rosters stored', timeoutMs: 60_000 },
    );
    await stack.faceit.play(stack.webhook, match.id, ['match_status_ready', 'match_status_finished']);
    const worker = stack.workers[0]!;
    await finishSettled(match.id);
    // Neither got Level 6; alice keeps Level 3 (not taken away either); the nicknames still follow.
    await waitForMember('alice', ['FACEIT Level 3'], 'alice_f [6]');
    await waitForMember('bob', [], 'bob_f [6]');
    const unsafeLines = () =>
      worker.lines.filter(
        (l) => l.matchId === match.id && String(l.msg).startsWith('level role not given or taken'),
      );
    await waitFor(() => unsafeLines().length >= 2, { what: 'the unsafe-role lines' });
    const unsafe = unsafeLines();
    expect(unsafe.map((l) => l.roleId).sort()).toEqual([six, three].sort());
    expect(unsafe.find((l) => l.roleId === six)?.permissions).toEqual(['Administrator']);
  });
});
