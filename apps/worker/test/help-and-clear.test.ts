// /help for players and moderators, /setup clear for each setting, and the warnings /setup show, /status and
// /help give a server that follows nothing or has no lobby: through real discord.js against the emulator.
import { type Stack, startStack } from '@bridge/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedLinkedPlayers } from './matches-helpers.ts';

let stack: Stack;
let users: Record<string, string>;
beforeAll(async () => {
  stack = await startStack({
    guild: {
      members: [{ username: 'owner' }, { username: 'player' }],
      roles: [{ name: 'Spectators' }],
      channels: [{ name: 'Cards', type: 'text' }],
    },
  });
  users = stack.guild.members as Record<string, string>;
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

async function run(
  user: string,
  name: string,
  subcommand?: string,
  options: Record<string, string | number | boolean> = {},
) {
  const record = await stack.discord.invokeCommand({
    guildId: stack.guildId,
    userId: user,
    name,
    options,
    ...(subcommand ? { subcommand } : {}),
  });
  const reply = await record.waitForReply();
  expect(reply.ephemeral).toBe(true);
  return reply.content;
}
const settings = async () =>
  (
    await stack.supabase.query('select * from guild_settings where guild_id = $1', [stack.guildId])
  )[0] as Record<string, unknown>;

describe('/help', () => {
  it('tells a player what happens, how to link and that they must be in voice; nothing of the setup', async () => {
    const text = await run(users.player!, 'help');
    expect(text).toContain('linked players are moved into theirs');
    expect(text).toContain('`/link`');
    expect(text).toContain('be connected to any voice channel of this server to be moved in');
    expect(text).toContain('**You are not linked yet: use /link.**');
    expect(text).not.toContain('For moderators');
    const [linked] = await seedLinkedPlayers(stack, 'helped', 1);
    expect(await run(linked!.discordId, 'help')).toContain('You are linked as **helped_0**.');
  });

  it('gives a moderator the setup steps with what this server has and lacks right now', async () => {
    const text = await run(users.owner!, 'help');
    expect(text).toContain('**For moderators** (Manage Server)');
    expect(text).toMatch(/1\. `\/setup channels category: lobby:`.*✅/);
    expect(text).toMatch(/2\. `\/setup follow kind: id:`.*✅ 1 followed/);
    expect(text).not.toContain('⚠️');
  });

  it('costs no read of the server from Discord (only the commands that show its roles or channels do)', async () => {
    const reads = () => {
      const by = stack.discord.stats().byRoute;
      return (by['GET /guilds/:guild'] ?? 0) + (by['GET /guilds/:guild/channels'] ?? 0);
    };
    const before = reads();
    expect(await run(users.owner!, 'help')).toContain('**For moderators**');
    expect(await run(users.owner!, 'status')).toBeTruthy();
    expect(reads()).toBe(before);
    // /setup show reports on the server's channels: it reads them.
    expect(await run(users.owner!, 'setup', 'show')).toContain('lobby');
    expect(reads()).toBeGreaterThan(before);
  });
});

describe('/setup clear and the warnings', () => {
  it('clears one setting at a time and leaves the others; the lobby gone, show, status and help warn', async () => {
    await run(users.owner!, 'setup', 'roles', { spectator: stack.guild.roles.Spectators! });
    await run(users.owner!, 'setup', 'channels', { user_limit: 10 });
    await run(users.owner!, 'setup', 'cards', { channel: stack.guild.channels.Cards! });
    await run(users.owner!, 'setup', 'nicknames', { template: '{nickname} [{level}]' });
    const before = await settings();
    expect(before.spectator_role_id).toBe(stack.guild.roles.Spectators);
    expect(before.cards_channel_id).toBe(stack.guild.channels.Cards);

    const cleared: [string, string, unknown][] = [
      ['spectator', 'spectator_role_id', null],
      ['user_limit', 'user_limit', 0],
      ['cards', 'cards_channel_id', null],
      ['nicknames', 'nick_template', null],
      ['staff', 'staff_role_id', null],
      ['category', 'category_id', null],
      ['lobby', 'lobby_channel_id', null],
    ];
    for (const [setting, column, value] of cleared) {
      const prev = await settings();
      expect(await run(users.owner!, 'setup', 'clear', { setting })).not.toMatch(/Nothing was changed/);
      const now = await settings();
      expect(now[column], setting).toBe(value);
      // Nothing else moved.
      for (const [k, v] of Object.entries(prev))
        if (k !== column && k !== 'updated_at') expect(now[k], `${setting}: ${k}`).toEqual(v);
    }
    const show = await run(users.owner!, 'setup', 'show');
    expect(show).toContain(
      '⚠️ No lobby: at the end of a match its players are disconnected when the channels go.',
    );
    // The permission report agrees with the warning (it said players "stay where they are").
    expect(show).toContain('lobby: not set: players are disconnected when a match ends');
    expect(show).not.toContain('stay where they are');
    expect(await run(users.owner!, 'status')).toContain('⚠️ No lobby');

    await run(users.owner!, 'setup', 'unfollow', { kind: 'all' });
    expect(await run(users.owner!, 'setup', 'show')).toContain(
      '⚠️ This server follows nothing, so no match gets channels here',
    );
    expect(await run(users.owner!, 'status')).toContain('⚠️ This server follows nothing');
    const help = await run(users.owner!, 'help');
    expect(help).toContain('❌ nothing followed yet');
    expect(help).toContain('❌ no lobby yet');
  });

  it('is refused to a member without Manage Server, and changes nothing', async () => {
    await run(users.owner!, 'setup', 'channels', { lobby: stack.guild.channels.Lobby! });
    const reply = await run(users.player!, 'setup', 'clear', { setting: 'lobby' });
    expect(reply).toMatch(/Manage Server/);
    expect((await settings()).lobby_channel_id).toBe(stack.guild.channels.Lobby);
  });
});
