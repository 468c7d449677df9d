import { matchJobId, shortId } from '@bridge/core';
import { runCommand, type Stack, settledJob, waitFor } from '@bridge/testbed';
import { stackTest } from '@bridge/testbed/fixtures';
import { PermissionFlagsBits } from 'discord.js';
import { describe, expect } from 'vitest';

// Which servers one deployment serves. Single-guild mode without BRIDGE_GUILDS: the stack's guild only.
// Anyone may add a public bot to a server they own; the bot leaves it and acts on nothing there.
let early: ReturnType<Stack['discord']['seedGuild']>;

const LEFT = 'left a server this deployment does not serve (BRIDGE_GUILDS / DISCORD_GUILD_ID)';

const gone = (stack: Stack, guildId: string) => {
  try {
    stack.discord.state(guildId);
    return false;
  } catch {
    return true;
  }
};
const leftLines = (stack: Stack, guildId: string) =>
  stack.workers.flatMap((w) => w.lines.filter((l) => l.msg === LEFT && l.guildId === guildId));
const settingsOf = async (stack: Stack, guildId: string) =>
  stack.supabase.query('select * from guild_settings where guild_id = $1', [guildId]);

const test = stackTest({ workers: 0, guild: { members: [{ username: 'homer' }] } }, async (stack) => {
  // A stranger's server the bot is already in when the worker starts, with settings from a time it was served.
  early = stack.discord.seedGuild({
    name: 'early',
    members: [{ username: 'e-admin', permissions: String(PermissionFlagsBits.ManageGuild) }],
  });
  await stack.supabase.query(`insert into guild_settings (guild_id) values ($1)`, [early.guildId]);
  await stack.supabase.query(`insert into guild_follows (guild_id, kind) values ($1, 'all')`, [
    early.guildId,
  ]);
  await stack.startWorker();
});

describe('servers this deployment does not serve', () => {
  test('a server the bot is in at start is left, once, and its rows forgotten; the home server is served', async ({
    stack,
  }) => {
    await waitFor(() => gone(stack, early.guildId) && leftLines(stack, early.guildId).length === 1, {
      what: 'the early stranger left',
      timeoutMs: 60_000,
    });
    await waitFor(async () => (await settingsOf(stack, early.guildId)).length === 0, {
      what: 'its rows forgotten',
    });
    const homer = (stack.guild.members as Record<string, string>).homer as string;
    // The global commands are registered in the background after the worker's start.
    const reply = await waitFor(() => runCommand(stack, { user: homer, name: 'whoami' }).catch(() => null), {
      what: 'the home server answered',
      timeoutMs: 60_000,
    });
    expect(reply.content).toContain('You are not linked to a FACEIT account');
  });

  test('a server that adds the bot while it runs is left at once', async ({ stack }) => {
    const late = stack.discord.seedGuild({
      name: 'late',
      members: [{ username: 'l-admin', permissions: String(PermissionFlagsBits.ManageGuild) }],
    });
    await waitFor(() => gone(stack, late.guildId) && leftLines(stack, late.guildId).length === 1, {
      what: 'the late stranger left',
      timeoutMs: 60_000,
    });
  });

  test('where Discord will not let it leave: nothing registered there, every command refused, no channels built', async ({
    stack,
  }) => {
    stack.discord.setFault({
      method: 'DELETE',
      route: 'DELETE /users/@me/guilds/:guild',
      kind: 'status',
      status: 403,
      body: { message: 'Missing Access', code: 50001 },
    });
    try {
      const stuck = stack.discord.seedGuild({
        name: 'stuck',
        channels: [
          { name: 'Matches', type: 'category' },
          { name: 'General', type: 'voice' },
        ],
        members: [
          { username: 's-admin', permissions: String(PermissionFlagsBits.ManageGuild) },
          { username: 's-player' },
        ],
      });
      await waitFor(
        () =>
          stack.workers.some((w) =>
            w.lines.some(
              (l) =>
                l.guildId === stuck.guildId &&
                l.msg ===
                  'could not leave a server this deployment does not serve; it is still refused everything',
            ),
          ),
        { what: 'the failed leave logged', timeoutMs: 60_000 },
      );
      expect(stack.discord.state(stuck.guildId).commands ?? []).toEqual([]);
      await waitFor(() => stack.discord.globalCommands().length > 0 || undefined, {
        what: 'the global slash commands registered',
      });

      // The commands are global, so the server has them: each is refused, changing nothing.
      const player = stack.discord.state(stuck.guildId).members.find((m) => m.username === 's-player')?.id;
      const { content } = await runCommand(stack, {
        guildId: stuck.guildId,
        user: player as string,
        name: 'register',
        options: { nickname: 'StuckNick' },
      });
      expect(content).toMatch(/does not serve this server.*Nothing was changed/);
      stack.faceit.seedPlayer({ nickname: 'StuckNick' });
      expect(
        await stack.supabase.query('select 1 from player_links where discord_id = $1', [player]),
      ).toEqual([]);

      // Rows that say it follows every match (from a time it was served) build nothing there.
      await stack.supabase.query(`insert into guild_settings (guild_id, category_id) values ($1, $2)`, [
        stuck.guildId,
        stuck.channels.Matches,
      ]);
      await stack.supabase.query(`insert into guild_follows (guild_id, kind) values ($1, 'all')`, [
        stuck.guildId,
      ]);
      const p = stack.faceit.seedPlayer({ nickname: 'sg_player' });
      await stack.supabase.query(
        `insert into player_links (discord_id, faceit_id, faceit_nickname, verified_method) values ($1, $2, 'sg_player', 'oauth')`,
        [player, p.id],
      );
      stack.discord.setVoice(stuck.guildId, player as string, stuck.channels.General!);
      const match = stack.faceit.seedMatch({
        faction1: [p.id],
        faction2: [stack.faceit.seedPlayer({ nickname: 'sg_other' }).id],
      });
      const [sent] = await stack.faceit.play(stack.webhook, match.id, ['match_object_created']);
      const jobId = matchJobId(match.id, 'match_object_created', sent?.envelope.payload.version);
      const job = await settledJob(stack, 'matches', jobId, 90_000);
      expect(job.state).toBe('completed');
      // The home server follows every match: it got the channels, the stranger's did not.
      const short = shortId(match.id);
      expect(stack.discord.state(stack.guildId).channels.filter((c) => c.name.includes(short))).toHaveLength(
        2,
      );
      expect(stack.discord.state(stuck.guildId).channels.filter((c) => c.name.includes(short))).toEqual([]);
      expect(stack.discord.state(stuck.guildId).voiceStates[player as string]).toBe(stuck.channels.General);
      expect(
        await stack.supabase.query('select 1 from active_matches where guild_id = $1', [stuck.guildId]),
      ).toEqual([]);
    } finally {
      stack.discord.clearFaults();
    }
  });
});
