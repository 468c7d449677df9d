// `./run invite`: the URL that adds the bot, with the permission integer computed from the one table the
// preflight checks. A bot given exactly that integer passes every permission check; without any one of its
// permissions the preflight names it; and the preflight asks for nothing outside it.
import { join } from 'node:path';
import { BOT_PERMISSIONS, invitePermissions, permissionNames } from '@bridge/core';
import { type DiscordEmulator, startDiscordEmulator } from '@bridge/sandbox/discord/index';
import { type LocalSupabase, startAppProcess, startLocalSupabase } from '@bridge/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordPreflight } from '../src/discord/preflight.ts';

const inviteCli = join(import.meta.dirname, '../src/invite-cli.ts');
const preflightCli = join(import.meta.dirname, '../src/preflight-cli.ts');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let emu: DiscordEmulator;
let supabase: LocalSupabase;
beforeAll(async () => {
  [emu, supabase] = await Promise.all([startDiscordEmulator(), startLocalSupabase()]);
}, 60_000);
afterAll(async () => {
  await Promise.allSettled([emu?.close(), supabase?.stop()]);
});

async function cli(entry: string, env: Record<string, string>, args: string[] = []) {
  const proc = startAppProcess(entry, env, { args });
  const code = await proc.exited;
  return {
    code,
    out: proc.lines.map((l) => String(l.raw ?? JSON.stringify(l))).join('\n'),
    err: proc.stderr.join(''),
  };
}

/** A guild whose bot role has exactly `bits` (and @everyone nothing), with a category and lobby. */
function guildWith(bits: bigint) {
  return emu.seedGuild({
    roles: [{ name: '@everyone', permissions: '0' }],
    members: [{ username: 'owner' }],
    channels: [
      { name: 'Matches', type: 'category' },
      { name: 'Lobby', type: 'voice' },
    ],
    botPermissions: bits.toString(),
  });
}

/** `./run preflight` (the CLI, as an operator runs it) for a guild whose bot role has exactly `bits`. */
async function preflightWith(bits: bigint) {
  const seed = guildWith(bits);
  return cli(preflightCli, {
    REDIS_URL,
    SUPABASE_URL: supabase.url,
    SUPABASE_SERVICE_ROLE_KEY: supabase.secretKey,
    DISCORD_TOKEN: emu.botToken,
    DISCORD_API_URL: emu.apiUrl,
    DISCORD_GUILD_ID: seed.guildId,
    VC_CATEGORY_ID: seed.channels.Matches as string,
    VC_LOBBY_CHANNEL_ID: seed.channels.Lobby as string,
    FACEIT_API_KEY: 'faceit-api-key',
    FACEIT_CLIENT_ID: 'client',
    FACEIT_CLIENT_SECRET: 'client-secret-value',
    FACEIT_REDIRECT_URI: 'http://127.0.0.1:3000/faceit/callback',
  });
}

describe('./run invite', () => {
  it("prints Discord's authorize URL for this application, with every feature's permissions", async () => {
    const { code, out } = await cli(inviteCli, { DISCORD_TOKEN: emu.botToken, DISCORD_API_URL: emu.apiUrl });
    expect(code).toBe(0);
    const all = invitePermissions();
    // View Channel, Manage Channels, Manage Roles, Connect, Speak, Move Members, Use Voice Activity, Send
    // Messages, Embed Links, Read Message History, Manage Nicknames, Set Voice Channel Status.
    expect(all).toBe(281475432926224n);
    expect(out).toContain(
      `https://discord.com/oauth2/authorize?client_id=${emu.applicationId}&scope=bot+applications.commands&permissions=${all}`,
    );
    expect(out).toMatch(
      /^ {2}match cards \(optional\): View Channel, Send Messages, Embed Links, Read Message History$/m,
    );
  });

  it('--without leaves an optional feature out; an unknown one is refused', async () => {
    const env = { DISCORD_TOKEN: emu.botToken, DISCORD_API_URL: emu.apiUrl };
    const { out } = await cli(inviteCli, env, ['--without', 'match-cards,nicknames']);
    const bits = invitePermissions([
      'match channels',
      'moves',
      'voice activity',
      'voice status',
      'level roles',
    ]);
    expect(out).toContain(`&permissions=${bits}`);
    expect(permissionNames(bits)).not.toContain('Send Messages');
    const bad = await cli(inviteCli, env, ['--without', 'moves']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('--without moves: not an optional feature');
  });

  it('agrees with the preflight: exactly the integer passes, without any one of its permissions the preflight names it', async () => {
    const all = invitePermissions();
    const exact = await preflightWith(all);
    expect(exact.out).not.toMatch(/^(FAIL|WARN) (permissions|invite|voice)/m);
    expect(exact.out).toMatch(
      /^ok {3}invite permissions: the bot role has everything \.\/run invite asks for$/m,
    );
    // One permission short at a time: the CLI's Discord checks, called in this process (the same function
    // and answers as the two CLI runs around it, without a dozen more processes to start). A FAIL or WARN
    // line of the CLI is a check that is not ok or warns.
    for (const [bit, name] of BOT_PERMISSIONS.map((n) => [n.bit, n.name] as const).filter(
      ([b], i, a) => a.findIndex(([x]) => x === b) === i,
    )) {
      const seed = guildWith(all & ~bit);
      const checks = await discordPreflight({
        token: emu.botToken,
        apiUrl: emu.apiUrl,
        guildId: seed.guildId,
        categoryId: seed.channels.Matches as string,
        lobbyId: seed.channels.Lobby as string,
        identifyFloor: 50,
      });
      const named = checks.filter((c) => (!c.ok || c.warn) && `${c.name}: ${c.detail}`.includes(name));
      expect(named, `without ${name}`).not.toEqual([]);
    }
    // And nothing outside it: with no permission at all, every permission the checks name is in the integer.
    const none = await preflightWith(0n);
    const inIntegerNames = permissionNames(all);
    const allNames = [...new Set(BOT_PERMISSIONS.map((n) => n.name))];
    for (const name of allNames) {
      if (none.out.includes(name)) expect(inIntegerNames, name).toContain(name);
    }
    expect(none.out).toMatch(/^FAIL permissions in the server: the bot lacks /m);
  }, 120_000);
});
