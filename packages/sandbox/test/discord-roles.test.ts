import { type Client, GatewayIntentBits, PermissionFlagsBits } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type DiscordEmulator, startDiscordEmulator } from '../src/discord/index.ts';
import { loginClient, nextEvent } from '../src/discord/testing.ts';
import { apiError } from './discord-api-error.ts';

let emu: DiscordEmulator | undefined;
let client: Client<true> | undefined;

const MANAGE = PermissionFlagsBits.ManageRoles | PermissionFlagsBits.ManageNicknames;

/** owner, a plain member, a member whose role sits above the bot's ('Mods', created after the bot's role). */
async function setup(opts: { botPermissions?: bigint; members?: boolean } = {}) {
  emu = await startDiscordEmulator({ privilegedIntents: { guildMembers: true } });
  const seed = emu.seedGuild({
    roles: [{ name: 'Low' }],
    members: [{ username: 'owner' }, { username: 'alice' }, { username: 'mod' }],
    botPermissions: (opts.botPermissions ?? MANAGE | PermissionFlagsBits.ViewChannel).toString(),
  });
  const high = emu.createRole(seed.guildId, { name: 'Mods' });
  // Drag 'Mods' above the bot's role (the top), as an admin would.
  emu.moveRole(seed.guildId, high, 99);
  emu.updateMember(seed.guildId, seed.members.mod, { roles: [high] });
  client = await loginClient(emu, {
    intents: [GatewayIntentBits.Guilds, ...(opts.members ? [GatewayIntentBits.GuildMembers] : [])],
  });
  const guild = client.guilds.cache.get(seed.guildId);
  if (!guild) throw new Error('guild not cached');
  return { emu, seed, client, guild, high, ...seed.members };
}

afterEach(async () => {
  await client?.destroy();
  await emu?.close();
  client = undefined;
  emu = undefined;
});

const roleOf = (e: DiscordEmulator, guildId: string, id: string) =>
  e.state(guildId).roles.find((r) => r.id === id);
const memberOf = (e: DiscordEmulator, guildId: string, id: string) =>
  e.state(guildId).members.find((m) => m.id === id);

describe('discord emulator roles, member roles and nicknames', () => {
  it('creates a role at the bottom (position 1), shifting the others up, and lists them in order', async () => {
    const { guild, seed, emu: e } = await setup();
    const created = nextEvent(client as Client, 'roleCreate', (r) => r.name === 'FACEIT Level 1');
    const role = await guild.roles.create({ name: 'FACEIT Level 1', reason: 'level roles' });
    expect(role.position).toBe(1);
    await created;
    expect(roleOf(e, seed.guildId, role.id)?.position).toBe(1);
    expect(roleOf(e, seed.guildId, seed.roles.Low)?.position).toBe(2);
    const listed = await guild.roles.fetch(undefined, { force: true });
    expect([...listed.values()].map((r) => r.position).sort((a, b) => a - b)).toEqual([
      ...Array(listed.size).keys(),
    ]);
    // The bot is still above the new role: it may give it.
    expect(guild.members.me?.roles.highest.comparePositionTo(role)).toBeGreaterThan(0);
  });

  it('refuses a role with permissions the bot lacks (50013) and creates nothing', async () => {
    const { guild, seed, emu: e } = await setup();
    const before = e.state(seed.guildId).roles.length;
    const err = await apiError(
      guild.roles.create({ name: 'x', permissions: [PermissionFlagsBits.BanMembers] }),
    );
    expect(err.code).toBe(50013);
    expect(e.state(seed.guildId).roles).toHaveLength(before);
  });

  it('adds and removes a member role (204) with GUILD_MEMBER_UPDATE; repeating changes nothing', async () => {
    const { guild, seed, alice, emu: e } = await setup({ members: true });
    const seen = nextEvent(
      client as Client,
      'guildMemberUpdate',
      (_o, n) => n.id === alice && n.roles.cache.has(seed.roles.Low),
    );
    await guild.members.addRole({ user: alice, role: seed.roles.Low, reason: 'FACEIT level 3' });
    await seen;
    expect(memberOf(e, seed.guildId, alice)?.roles).toEqual([seed.roles.Low]);
    await guild.members.addRole({ user: alice, role: seed.roles.Low });
    expect(memberOf(e, seed.guildId, alice)?.roles).toEqual([seed.roles.Low]);
    await guild.members.removeRole({ user: alice, role: seed.roles.Low });
    expect(memberOf(e, seed.guildId, alice)?.roles).toEqual([]);
    expect(e.stats().byRoute['PUT /guilds/:guild/members/:user/roles/:role']).toBe(2);
  });

  it('answers 10011 for an unknown role and 10007 for an unknown member', async () => {
    const { guild, seed, alice } = await setup();
    const role = await apiError(guild.members.addRole({ user: alice, role: '123456789012345678' }));
    expect([role.status, role.code]).toEqual([404, 10011]);
    const member = await apiError(
      guild.members.addRole({ user: '123456789012345678', role: seed.roles.Low }),
    );
    expect([member.status, member.code]).toEqual([404, 10007]);
  });

  it('refuses a role at or above the bot’s highest role, and its own managed role (50013)', async () => {
    const { guild, seed, alice, high, emu: e } = await setup();
    for (const role of [high, seed.botRoleId]) {
      const err = await apiError(guild.members.addRole({ user: alice, role }));
      expect([err.status, err.code]).toEqual([403, 50013]);
    }
    // PATCH with roles is held to the same rule.
    const err = await apiError(guild.members.edit(alice, { roles: [high] }));
    expect(err.code).toBe(50013);
    expect(memberOf(e, seed.guildId, alice)?.roles).toEqual([]);
  });

  it('gives a role below the bot even to a member above it (only the role’s position counts)', async () => {
    const { guild, seed, mod, emu: e } = await setup();
    await guild.members.addRole({ user: mod, role: seed.roles.Low });
    expect(memberOf(e, seed.guildId, mod)?.roles).toContain(seed.roles.Low);
  });

  it('needs Manage Roles (50013)', async () => {
    const { guild, seed, alice } = await setup({ botPermissions: PermissionFlagsBits.ManageNicknames });
    const err = await apiError(guild.members.addRole({ user: alice, role: seed.roles.Low }));
    expect(err.code).toBe(50013);
    expect((await apiError(guild.roles.create({ name: 'x' }))).code).toBe(50013);
  });

  it('renames a member below the bot; never the owner nor a member at or above it (50013)', async () => {
    const { guild, seed, alice, owner, mod, emu: e } = await setup();
    await guild.members.edit(alice, { nick: 'Alice [7]', reason: 'FACEIT level' });
    expect(memberOf(e, seed.guildId, alice)?.nick).toBe('Alice [7]');
    for (const id of [owner, mod]) {
      const err = await apiError(guild.members.edit(id, { nick: 'x' }));
      expect([err.status, err.code]).toEqual([403, 50013]);
      expect(memberOf(e, seed.guildId, id)?.nick).toBeNull();
    }
    const long = await apiError(guild.members.edit(alice, { nick: 'x'.repeat(33) }));
    expect(long.code).toBe(50035);
    await guild.members.edit(alice, { nick: null });
    expect(memberOf(e, seed.guildId, alice)?.nick).toBeNull();
  });

  it('needs Manage Nicknames (50013)', async () => {
    const { guild, seed, alice, emu: e } = await setup({ botPermissions: PermissionFlagsBits.ManageRoles });
    expect((await apiError(guild.members.edit(alice, { nick: 'x' }))).code).toBe(50013);
    expect(memberOf(e, seed.guildId, alice)?.nick).toBeNull();
  });

  it('re-orders roles below its own only (PATCH /guilds/:g/roles)', async () => {
    const { guild, seed, high, emu: e } = await setup();
    const a = await guild.roles.create({ name: 'A' });
    await guild.roles.setPositions([{ role: a.id, position: 2 }]);
    expect(roleOf(e, seed.guildId, a.id)?.position).toBe(2);
    expect((await apiError(guild.roles.setPositions([{ role: high, position: 1 }]))).code).toBe(50013);
    const botTop = roleOf(e, seed.guildId, seed.botRoleId)?.position ?? 0;
    expect((await apiError(guild.roles.setPositions([{ role: a.id, position: botTop }]))).code).toBe(50013);
  });

  it('dispatches the bot’s own GUILD_MEMBER_UPDATE without the GuildMembers intent, others’ only with it', async () => {
    const { seed, alice, emu: e } = await setup();
    const seen: string[] = [];
    (client as Client).on('guildMemberUpdate', (_o, n) => seen.push(n.id));
    const own = nextEvent(client as Client, 'guildMemberUpdate', (_o, n) => n.id === e.botUserId);
    e.updateMember(seed.guildId, alice, { nick: 'a' });
    e.updateMember(seed.guildId, e.botUserId, { roles: [seed.botRoleId, seed.roles.Low] });
    await own;
    expect(seen).toEqual([e.botUserId]);
  });
});
