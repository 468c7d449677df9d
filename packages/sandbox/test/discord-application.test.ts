import { type Client, Events, Team, TeamMemberMembershipState, TeamMemberRole, User } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type DiscordEmulator, startDiscordEmulator } from '../src/discord/index.ts';
import { loginClient, nextEvent } from '../src/discord/testing.ts';
import { apiError } from './discord-api-error.ts';

let emu: DiscordEmulator | undefined;
let client: Client<true> | undefined;

afterEach(async () => {
  await client?.destroy();
  await emu?.close();
  client = undefined;
  emu = undefined;
});

describe('discord emulator: the application and leaving a guild', () => {
  it('GET /applications/@me names a developer as owner by default, never the bot', async () => {
    emu = await startDiscordEmulator();
    client = await loginClient(emu);
    const app = await client.application.fetch();
    expect(app.owner).toBeInstanceOf(User);
    expect(app.owner?.id).toBe(emu.applicationOwner().userId);
    expect(app.owner?.id).not.toBe(emu.botUserId);
    expect((app.owner as User).username).toBe('app-owner');
  });

  it('a team-owned application: its pseudo-user as owner, the members with their role and state', async () => {
    emu = await startDiscordEmulator({
      applicationOwner: {
        team: {
          name: 'Ops',
          members: [
            { username: 'lead' },
            { username: 'dev', role: 'developer' },
            { username: 'viewer', role: 'read_only' },
            { username: 'invited', pending: true },
          ],
        },
      },
    });
    client = await loginClient(emu);
    const app = await client.application.fetch();
    expect(app.owner).toBeInstanceOf(Team);
    const team = app.owner as Team;
    const ids = emu.applicationOwner().team;
    expect(team.ownerId).toBe(ids.lead);
    expect(emu.applicationOwner().userId).toBe(ids.lead);
    expect(team.members.get(ids.dev as string)?.role).toBe(TeamMemberRole.Developer);
    expect(team.members.get(ids.viewer as string)?.role).toBe(TeamMemberRole.ReadOnly);
    expect(team.members.get(ids.invited as string)?.membershipState).toBe(TeamMemberMembershipState.Invited);
    expect(team.members.get(ids.lead as string)?.membershipState).toBe(TeamMemberMembershipState.Accepted);
  });

  it('DELETE /users/@me/guilds/:guild leaves: 204, GUILD_DELETE without unavailable; then 10004', async () => {
    emu = await startDiscordEmulator();
    const seed = emu.seedGuild({ members: [{ username: 'alice' }] });
    client = await loginClient(emu);
    const guild = client.guilds.cache.get(seed.guildId);
    if (!guild) throw new Error('guild not cached');
    // discord.js emits GuildDelete only for a removal; an outage (`unavailable: true`) is GuildUnavailable.
    const deleted = nextEvent(client as Client, Events.GuildDelete, (g) => g.id === seed.guildId);
    await guild.leave();
    const [gone] = await deleted;
    expect(gone.id).toBe(seed.guildId);
    expect(client.guilds.cache.has(seed.guildId)).toBe(false);
    expect(() => emu?.state(seed.guildId)).toThrow();
    const err = await apiError(client.rest.delete(`/users/@me/guilds/${seed.guildId}`));
    expect(err).toMatchObject({ status: 404, code: 10004 });
  });
});
