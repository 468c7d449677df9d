import { linkWithFetch, runCommand, waitFor } from '@bridge/testbed';
import { sharedStack } from '@bridge/testbed/fixtures';
import { PermissionFlagsBits, REST, Routes } from 'discord.js';
import { describe, expect, it } from 'vitest';

let users: Record<string, string>;
const invoked: string[] = [];

const stack = sharedStack(
  {
    // Three copies on the gateway, and Discord delivers every interaction to each of them: every
    // interaction must still be answered exactly once.
    workers: 3,
    apiEnv: { LINK_RESULT_WAIT_MS: '20000' },
    guild: {
      members: [
        { username: 'owner' },
        { username: 'mod', permissions: String(PermissionFlagsBits.ManageGuild) },
        { username: 'alice' },
        { username: 'bob' },
        { username: 'carol' },
        { username: 'dave' },
      ],
    },
  },
  async () => {
    users = stack.guild.members as Record<string, string>;
  },
);

async function run(
  user: string,
  name: string,
  options: Record<string, string> = {},
  subcommand?: string,
): Promise<string> {
  const { record, ...reply } = await runCommand(stack, {
    user: users[user]!,
    name,
    options,
    ...(subcommand ? { subcommand } : {}),
  });
  invoked.push(record.id);
  expect(reply.ephemeral).toBe(true);
  expect(record.responses).toHaveLength(1);
  // Every command is acknowledged with a defer first (type 5), then edited.
  expect(record.responses[0]?.type).toBe(5);
  return reply.content;
}

async function row(user: string) {
  const rows = await stack.supabase.query('select * from player_links where discord_id = $1', [users[user]]);
  return rows[0];
}

/** A real OAuth link: /link, the start page, consent at the emulated FACEIT, the API callback. */
async function oauthLink(user: string, nickname: string): Promise<void> {
  const { text } = await linkWithFetch(stack, users[user]!, nickname);
  expect(text).toContain(nickname);
}

describe('linking slash commands', () => {
  it('/whoami explains how to link when unlinked', async () => {
    expect(await run('alice', 'whoami')).toMatch(/not linked[\s\S]*\/link/);
  });

  it('/register: a nickname that does not exist gets a clear answer and no row', async () => {
    expect(await run('alice', 'register', { nickname: 'NoSuchPlayer404' })).toContain(
      'There is no FACEIT player called **NoSuchPlayer404**',
    );
    expect(await row('alice')).toBeUndefined();
  });

  it('/register links by nickname, /whoami shows it, /unlink removes it', async () => {
    const player = stack.faceit.seedPlayer({ nickname: 'AliceNick' });
    expect(await run('alice', 'register', { nickname: 'AliceNick' })).toContain(
      'Linked: you are **AliceNick**',
    );
    expect(await row('alice')).toMatchObject({ faceit_id: player.id, verified_method: 'nickname' });
    expect(await run('alice', 'whoami')).toContain('**AliceNick** (claimed by nickname, not verified)');
    expect(await run('alice', 'unlink')).toContain('no longer linked to FACEIT account **AliceNick**');
    expect(await row('alice')).toBeUndefined();
    expect(await run('alice', 'unlink')).toContain('You had no FACEIT account linked.');
  });

  it('/register never takes an account someone else verified with OAuth', async () => {
    stack.faceit.seedPlayer({ nickname: 'BobVerified' });
    await oauthLink('bob', 'BobVerified');
    expect(await run('bob', 'whoami')).toContain('**BobVerified** (verified by signing in with FACEIT)');
    expect(await run('carol', 'register', { nickname: 'BobVerified' })).toContain(
      'already linked to another Discord user who verified it',
    );
    expect(await row('carol')).toBeUndefined();
    expect(await row('bob')).toMatchObject({ faceit_nickname: 'BobVerified', verified_method: 'oauth' });
  });

  it('an OAuth link moves the account from a nickname claimer, whose DM says how to take it back but not who took it', async () => {
    stack.faceit.seedPlayer({ nickname: 'DaveReal' });
    expect(await run('carol', 'register', { nickname: 'DaveReal' })).toContain('Linked');
    await oauthLink('dave', 'DaveReal');
    expect(await row('dave')).toMatchObject({ faceit_nickname: 'DaveReal', verified_method: 'oauth' });
    expect(await row('carol')).toBeUndefined();
    const dm = await stack.discord.waitForDm(users.carol!, (m) => m.content.includes('DaveReal'));
    expect(dm.content).toContain('was removed');
    expect(dm.content).toContain('someone proved they own **DaveReal** by signing in with FACEIT');
    // Naming the new holder would tell whoever claims a nickname which Discord account is behind it.
    expect(dm.content).not.toContain('dave');
    expect(dm.content).not.toContain(users.dave!);
    expect(dm.content).toMatch(/take it back: run \/link in the server and sign in with FACEIT/);
  });

  it('/link answers with a button to our own start page, not to FACEIT', async () => {
    const { record, reply } = await runCommand(stack, { user: users.alice!, name: 'link' });
    invoked.push(record.id);
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toContain('Do not share it');
    const rows = reply.components as { components: { url?: string }[] }[];
    const url = new URL(rows[0]?.components[0]?.url ?? '');
    expect(`${url.origin}${url.pathname}`).toBe(`${stack.apiUrl}/faceit/link/start`);
    expect(url.searchParams.get('t')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // No OAuth parameters in the button: FACEIT's URL only appears on the start page.
    expect(url.searchParams.has('state')).toBe(false);
  });

  it('/admin is refused to a member without Manage Server, and nothing changes', async () => {
    stack.faceit.seedPlayer({ nickname: 'AdminTarget' });
    const refused = /Only members with the Manage Server permission[\s\S]*Nothing was changed/;
    expect(await run('alice', 'admin', { user: users.alice!, nickname: 'AdminTarget' }, 'link')).toMatch(
      refused,
    );
    expect(await row('alice')).toBeUndefined();
    expect(await run('alice', 'admin', { user: users.bob! }, 'unlink')).toMatch(refused);
    expect(await row('bob')).toMatchObject({ faceit_nickname: 'BobVerified' });
  });

  it('/admin link and unlink work for a member with Manage Server, in this server', async () => {
    expect(await run('mod', 'admin', { user: users.alice!, nickname: 'AdminTarget' }, 'link')).toContain(
      'to FACEIT account **AdminTarget**',
    );
    // A server link: alice is AdminTarget here; her own (global) link is untouched.
    expect(await run('alice', 'whoami')).toContain('In this server you are **AdminTarget**');
    expect(await row('alice')).toBeUndefined();
    const dm = await stack.discord.waitForDm(users.alice!, (m) => m.content.includes('AdminTarget'));
    expect(dm.content).toContain('@mod');
    expect(await run('mod', 'admin', { user: users.alice! }, 'unlink')).toContain('**AdminTarget**');
    expect(await run('alice', 'whoami')).not.toContain('AdminTarget');
    expect(await run('mod', 'admin', { user: users.alice! }, 'reset')).toContain('no longer sets');
    expect(
      await stack.supabase.query('select 1 from guild_player_overrides where discord_id = $1', [users.alice]),
    ).toEqual([]);
    // An OAuth-verified account is not handed to someone else by an admin either.
    expect(await run('owner', 'admin', { user: users.alice!, nickname: 'BobVerified' }, 'link')).toContain(
      'already linked to another Discord user',
    );
  });

  it('lets only service_role call the linking SQL functions', async () => {
    const [grants] = await stack.supabase.query(`select
      has_function_privilege('anon', 'public.link_player_oauth(text,text,text)', 'execute') as anon_link,
      has_function_privilege('authenticated', 'public.claim_player_nickname(text,text,text)', 'execute') as auth_claim,
      has_function_privilege('service_role', 'public.link_player_oauth(text,text,text)', 'execute') as svc_link,
      has_function_privilege('service_role', 'public.claim_player_nickname(text,text,text)', 'execute') as svc_claim`);
    expect(grants).toEqual({ anon_link: false, auth_claim: false, svc_link: true, svc_claim: true });
  });

  it('a database slower than Discord’s 3 s does not lose an answer: the defer comes first', async () => {
    // Every player_links read and write waits behind this lock for 10 s (a slow or busy database).
    const slow = stack.supabase
      .query('do $$ begin lock table player_links in access exclusive mode; perform pg_sleep(10); end $$')
      .then(() => Date.now());
    // Held once a read of player_links through the API hangs (the statement may still be queued).
    const readHangs = async () => {
      const res = await fetch(`${stack.supabase.url}/rest/v1/player_links?select=discord_id&limit=1`, {
        headers: { apikey: stack.supabase.serviceRoleKey },
        // A read that normally takes milliseconds still hanging after 2 s: the lock is held.
        signal: AbortSignal.timeout(2000),
      }).catch((err: Error) => err);
      return res instanceof Error && res.name === 'TimeoutError';
    };
    await waitFor(readHangs, { what: 'player_links locked', timeoutMs: 8000 });
    const records = await Promise.all(
      (['alice', 'bob', 'carol'] as const).map((u) =>
        stack.discord.invokeCommand({ guildId: stack.guildId, userId: users[u]!, name: 'whoami' }),
      ),
    );
    invoked.push(...records.map((r) => r.id));
    // Acknowledged while the database is still locked, i.e. within Discord's 3 seconds.
    for (const r of records) expect((await r.waitForResponse(3000)).type).toBe(5);
    const unlockedAt = await slow;
    for (const r of records) {
      const reply = await r.waitForReply(60_000);
      expect(reply.content).toMatch(/FACEIT account/);
      expect(r.responses).toHaveLength(1);
      // The answer did wait for the database (so the defer really came before it).
      expect(reply.editedAt).toBeGreaterThanOrEqual(unlockedAt - 100);
    }
  });

  it('registers /admin hidden from members without Manage Server, the others for everyone', async () => {
    // What Discord holds (what its client shows), not what the builder says: global commands.
    const rest = new REST({ api: stack.discord.apiUrl }).setToken(stack.discord.botToken);
    const registered = (await rest.get(Routes.applicationCommands(stack.discord.applicationId))) as {
      name: string;
      default_member_permissions: string | null;
    }[];
    const permissions = Object.fromEntries(registered.map((c) => [c.name, c.default_member_permissions]));
    expect(permissions).toEqual({
      admin: String(PermissionFlagsBits.ManageGuild),
      // /help for everyone: its moderators' part is shown only to members with Manage Server.
      help: null,
      link: null,
      register: null,
      // Issue 14: server configuration, Manage Server like /admin.
      setup: String(PermissionFlagsBits.ManageGuild),
      status: String(PermissionFlagsBits.ManageGuild),
      unlink: null,
      whoami: null,
    });
  });

  it('answered every interaction exactly once across all three worker copies, with no error logged', async () => {
    const handled = () =>
      stack.workers.map(
        (w) =>
          w.lines.filter((l) => l.msg === 'command handled' && invoked.includes(String(l.interactionId)))
            .length,
      );
    // The log line follows the reply, so wait for the last one to be written.
    await waitFor(() => handled().reduce((a, b) => a + b, 0) >= invoked.length, { what: 'handled lines' });
    const ids = stack.workers.flatMap((w) =>
      w.lines.filter((l) => l.msg === 'command handled').map((l) => String(l.interactionId)),
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(handled().reduce((a, b) => a + b, 0)).toBe(invoked.length);
    // Discord delivered each interaction to one copy only: the one holding the guild's shard.
    const raced = stack.workers.flatMap((w) =>
      w.lines.filter((l) => l.msg === 'interaction acknowledged by another worker copy'),
    );
    expect(raced).toEqual([]);
    const errors = stack.workers.flatMap((w) => w.lines.filter((l) => Number(l.level) >= 50));
    expect(errors).toEqual([]);
  });
});
