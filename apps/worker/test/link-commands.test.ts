import { type Stack, startStack, waitFor } from '@bridge/testbed';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consent, linkButtonUrl } from '../../api/test/link-helpers.ts';
import { adminCommand } from '../src/commands/admin.ts';

let stack: Stack;
let users: Record<string, string>;
const invoked: string[] = [];

beforeAll(async () => {
  stack = await startStack({
    // Two copies on the gateway: every interaction must still be answered exactly once.
    workers: 2,
    apiEnv: { LINK_RESULT_WAIT_MS: '20000' },
    guild: {
      members: [
        { username: 'owner' },
        { username: 'mod', permissions: '32' }, // Manage Server
        { username: 'alice' },
        { username: 'bob' },
        { username: 'carol' },
        { username: 'dave' },
      ],
    },
  });
  users = stack.guild.members as Record<string, string>;
});

afterAll(async () => {
  await stack?.stop();
});

async function run(
  user: string,
  name: string,
  options: Record<string, string> = {},
  subcommand?: string,
): Promise<string> {
  const record = await stack.discord.invokeCommand({
    guildId: stack.guildId,
    userId: users[user]!,
    name,
    options,
    ...(subcommand ? { subcommand } : {}),
  });
  invoked.push(record.id);
  const reply = await record.waitForReply();
  expect(reply.ephemeral).toBe(true);
  expect(record.responses).toHaveLength(1);
  return reply.content;
}

async function row(user: string) {
  const rows = await stack.supabase.query('select * from player_links where discord_id = $1', [users[user]]);
  return rows[0];
}

/** A real OAuth link: /link, consent at the emulated FACEIT, the API callback. */
async function oauthLink(user: string, nickname: string): Promise<void> {
  const { url } = await linkButtonUrl(stack, users[user]!);
  const res = await fetch(consent(stack, url, { nickname }));
  expect(await res.text()).toContain(nickname);
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

  it('an OAuth link moves the account from a nickname claimer, who gets a DM', async () => {
    stack.faceit.seedPlayer({ nickname: 'DaveReal' });
    expect(await run('carol', 'register', { nickname: 'DaveReal' })).toContain('Linked');
    await oauthLink('dave', 'DaveReal');
    expect(await row('dave')).toMatchObject({ faceit_nickname: 'DaveReal', verified_method: 'oauth' });
    expect(await row('carol')).toBeUndefined();
    const dm = await stack.discord.waitForDm(users.carol!, (m) => m.content.includes('DaveReal'));
    expect(dm.content).toContain('was removed');
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

  it('/admin link and unlink work for a member with Manage Server', async () => {
    expect(await run('mod', 'admin', { user: users.alice!, nickname: 'AdminTarget' }, 'link')).toContain(
      'to FACEIT account **AdminTarget**',
    );
    expect(await row('alice')).toMatchObject({ faceit_nickname: 'AdminTarget', verified_method: 'nickname' });
    expect(await run('mod', 'admin', { user: users.alice! }, 'unlink')).toContain('**AdminTarget**');
    expect(await row('alice')).toBeUndefined();
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

  it('registers /admin with Manage Server as the default permission', () => {
    expect(adminCommand.data.default_member_permissions).toBe(String(PermissionFlagsBits.ManageGuild));
  });

  it('answered every interaction exactly once across both worker copies', async () => {
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
    expect(handled().every((n) => n > 0)).toBe(true);
  });
});
