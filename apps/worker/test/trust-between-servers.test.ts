import { cardMarker, shortId } from '@bridge/core';
import { linkWithFetch, runCommand, type Stack, waitFor } from '@bridge/testbed';
import { sharedStack } from '@bridge/testbed/fixtures';
import { PermissionFlagsBits as F } from 'discord.js';
import { describe, expect, it } from 'vitest';

// Identity is global, authority is local — tried as a stranger would: Mallory adds the bot to a server of
// her own ("evil", where she has Manage Server) on a public deployment (BRIDGE_GUILDS=*) that also serves the
// community "FACEIT Hub" (the stack's guild). Everything goes through the real processes and the emulators.
const VIEW_CONNECT_SPEAK = F.ViewChannel | F.Connect | F.Speak;
/** Whether an overwrite lets its member see, join and speak in the channel. */
const letsIn = (o: { allow: string } | undefined) =>
  o !== undefined && (BigInt(o.allow) & VIEW_CONNECT_SPEAK) === VIEW_CONNECT_SPEAK;
const OPERATOR = '290000000000000001';

let hub: Record<string, string>;
let evil: ReturnType<Stack['discord']['seedGuild']> & { members: Record<string, string> };
let mallory: string;
/** Mallory's co-admin: /admin allows 5 a minute per user, and this file asks more of it. */
let eve: string;

const stack = sharedStack(
  {
    workerEnv: { BRIDGE_GUILDS: '*', BRIDGE_OPERATOR_IDS: OPERATOR },
    guild: {
      members: [
        { username: 'hubmod', permissions: String(F.ManageGuild) },
        { username: 'alice' },
        { username: 'bob' },
        { username: 'vic' },
        { username: 'carol' },
        { id: OPERATOR, username: 'ops', permissions: String(F.ManageGuild) },
      ],
      channels: [{ name: 'cards', type: 'text' }],
    },
  },
  async () => {
    hub = stack.guild.members as Record<string, string>;
    evil = stack.discord.seedGuild({
      name: 'evil',
      channels: [
        { name: 'Matches', type: 'category' },
        { name: 'Lobby', type: 'voice' },
        { name: 'General', type: 'voice' },
        { name: 'cards', type: 'text' },
      ],
      members: [
        { username: 'mallory', permissions: String(F.ManageGuild) },
        { username: 'eve', permissions: String(F.ManageGuild) },
      ],
    }) as typeof evil;
    mallory = evil.members.mallory as string;
    eve = evil.members.eve as string;
    // The commands are registered as the bot joins: the first command may come before that.
    await waitFor(() => run(evil.guildId, mallory, 'whoami').catch(() => null), {
      what: 'commands registered in the stranger’s server',
      timeoutMs: 60_000,
    });
  },
);

async function run(
  guildId: string,
  userId: string,
  name: string,
  subcommand?: string,
  options: Record<string, string | boolean> = {},
): Promise<string> {
  return (
    await runCommand(stack, { guildId, user: userId, name, options, ...(subcommand ? { subcommand } : {}) })
  ).content;
}
const inEvil = (subcommand: string, options: Record<string, string | boolean>, as = mallory) =>
  run(evil.guildId, as, 'admin', subcommand, options);
const row = async (discordId: string) =>
  (await stack.supabase.query('select * from player_links where discord_id = $1', [discordId]))[0];

const overwriteOf = (guildId: string, matchId: string, faction: string, userId: string) => {
  const ch = stack.discord
    .state(guildId)
    .channels.find((c) => c.name === `match-${shortId(matchId)}-${faction}`);
  if (!ch) throw new Error(`no ${faction} channel of ${matchId} in ${guildId}`);
  return ch.permissionOverwrites.find((o) => o.id === userId);
};

async function channelsIn(guildId: string, matchId: string) {
  const short = shortId(matchId);
  return stack.discord.waitForState(
    guildId,
    (s) => {
      const chans = s.channels.filter((c) => c.name.startsWith(`match-${short}-`));
      return chans.length === 2 ? chans : undefined;
    },
    90_000,
  );
}

type Embed = { title: string; description: string; fields: { name: string; value: string }[] };
/** The match's card in a card channel, once `check` holds; its whole message as JSON too. */
async function cardIn(channelId: string, matchId: string, check: (text: string) => boolean) {
  return waitFor(
    () => {
      const card = stack.discord
        .channelMessages(channelId)
        .find((m) => JSON.stringify(m.embeds).includes(cardMarker(matchId)));
      const embed = card?.embeds[0] as Embed | undefined;
      if (!card || !embed) return undefined;
      const text = [embed.description, ...embed.fields.map((f) => `${f.name}: ${f.value}`)].join('\n');
      return check(text) ? { text, json: JSON.stringify(card) } : undefined;
    },
    { what: `the card of ${matchId} in ${channelId}`, timeoutMs: 90_000 },
  );
}

describe('a stranger’s server admins act on their own server only', () => {
  it('cannot unlink or relink a member of another server, nor a verified link anywhere; the victim keeps their team channel', async () => {
    stack.faceit.seedPlayer({ nickname: 'AliceNick' });
    const bobNick = stack.faceit.seedPlayer({ nickname: 'BobNick' });
    const alice = hub.alice as string;
    const bob = hub.bob as string;
    expect((await linkWithFetch(stack, alice, 'AliceNick')).text).toContain('AliceNick');
    expect(await run(stack.guildId, bob, 'register', undefined, { nickname: 'BobNick' })).toContain('Linked');

    // Alice is not in Mallory's server.
    expect(await inEvil('unlink', { user: alice })).toMatch(
      /not a member of this server.*Nothing was changed/,
    );
    // Once she is, her verified link is still hers.
    stack.discord.addMember(evil.guildId, { id: alice, username: 'alice' });
    expect(await inEvil('unlink', { user: alice })).toMatch(/verified their link.*Nothing was changed/);
    expect(await inEvil('link', { user: alice, nickname: 'BobNick' })).toMatch(/verified their link/);
    // Nor can a server hand her verified account to someone else.
    expect(await inEvil('link', { user: mallory, nickname: 'AliceNick' }, eve)).toMatch(
      /already linked to another Discord user who verified it.*Nothing was changed/,
    );
    expect(await row(alice)).toMatchObject({ faceit_nickname: 'AliceNick', verified_method: 'oauth' });
    expect(await row(mallory)).toBeUndefined();

    // Bob's claim is unverified: Mallory's server may say who BobNick is — in her server only (where a
    // nickname claim did not count anyway: a server set up with /setup counts verified links only).
    expect(await inEvil('unlink', { user: bob }, eve)).toMatch(/not a member of this server/);
    stack.discord.addMember(evil.guildId, { id: bob, username: 'bob' });
    expect(await inEvil('unlink', { user: bob }, eve)).toMatch(/had no FACEIT account linked in this server/);
    expect(await inEvil('link', { user: mallory, nickname: 'BobNick' })).toMatch(/^Linked .* in this server/);
    expect(await row(bob)).toMatchObject({ faceit_id: bobNick.id, verified_method: 'nickname' });
    expect(await run(evil.guildId, mallory, 'whoami')).toContain('In this server you are **BobNick**');
    expect(await run(stack.guildId, bob, 'whoami')).toContain('You are linked to FACEIT account **BobNick**');

    // Mallory joins the hub's server; a match of Alice and Bob there.
    stack.discord.addMember(stack.guildId, { id: mallory, username: 'mallory' });
    stack.discord.setVoice(stack.guildId, mallory, stack.guild.channels.General!);
    const match = stack.faceit.seedMatch({
      faction1: [stack.faceit.players().find((p) => p.nickname === 'AliceNick')!.id, bobNick.id],
      faction2: [stack.faceit.seedPlayer({ nickname: 'tb_opponent' }).id],
    });
    await stack.faceit.play(stack.webhook, match.id, ['match_object_created']);
    await channelsIn(stack.guildId, match.id);
    expect(letsIn(overwriteOf(stack.guildId, match.id, 'faction1', alice))).toBe(true);
    expect(letsIn(overwriteOf(stack.guildId, match.id, 'faction1', bob))).toBe(true);
    expect(overwriteOf(stack.guildId, match.id, 'faction1', mallory)).toBeUndefined();
    expect(stack.discord.state(stack.guildId).voiceStates[mallory]).toBe(stack.guild.channels.General);
  });
});

describe('cards show no identity across servers', () => {
  it('a card in the stranger’s server following the victim’s matches mentions no one who is not its member', async () => {
    const vic = hub.vic as string;
    stack.faceit.seedPlayer({ nickname: 'VicNick' });
    expect((await linkWithFetch(stack, vic, 'VicNick')).text).toContain('VicNick');
    const setup = (guildId: string, userId: string, sub: string, options: Record<string, string>) =>
      run(guildId, userId, 'setup', sub, options);
    expect(await setup(evil.guildId, mallory, 'follow', { kind: 'all' })).toMatch(/now follows/);
    expect(
      await setup(evil.guildId, mallory, 'channels', {
        category: evil.channels.Matches!,
        lobby: evil.channels.Lobby!,
      }),
    ).toContain('Match channels go in');
    expect(await setup(evil.guildId, mallory, 'cards', { channel: evil.channels.cards! })).toMatch(
      /Match cards go to/,
    );
    expect(
      await setup(stack.guildId, hub.hubmod!, 'cards', { channel: stack.guild.channels.cards! }),
    ).toMatch(/Match cards go to/);

    const vicId = stack.faceit.players().find((p) => p.nickname === 'VicNick')!.id;
    const aliceId = stack.faceit.players().find((p) => p.nickname === 'AliceNick')!.id;
    const match = stack.faceit.seedMatch({ faction1: [vicId], faction2: [aliceId] });
    await stack.faceit.play(stack.webhook, match.id, ['match_object_created', 'match_status_configuring']);
    const evilChannels = await channelsIn(evil.guildId, match.id);
    await channelsIn(stack.guildId, match.id);

    // The hub's own card names Vic; the stranger's shows her FACEIT nickname only, and Alice (a member of
    // both servers) as a mention.
    const own = await cardIn(stack.guild.channels.cards!, match.id, (t) => t.includes(`<@${vic}>`));
    expect(own.text).toContain(`<@${hub.alice}>`);
    const theirs = await cardIn(evil.channels.cards!, match.id, (t) => t.includes('VicNick'));
    expect(theirs.json).not.toContain(vic);
    expect(theirs.text).toContain(`<@${hub.alice}>`);
    // Nor do the stranger's team channels carry her id in their overwrites.
    for (const ch of evilChannels) expect(JSON.stringify(ch.permissionOverwrites)).not.toContain(vic);
    expect(letsIn(overwriteOf(evil.guildId, match.id, 'faction2', hub.alice!))).toBe(true);
  });
});

describe('a server may count verified links only', () => {
  it('a nickname claim admits nobody in a verified-only server, and its card says who must /link', async () => {
    // Mallory's server was set up with /setup: verified-only unless she says otherwise.
    expect(await run(evil.guildId, mallory, 'setup', 'show')).toContain('linking: verified-only');
    expect(await run(stack.guildId, hub.hubmod!, 'setup', 'show')).toContain('linking: nickname-allowed');
    const pro = stack.faceit.seedPlayer({ nickname: 'ProNick' });
    const carol = hub.carol as string;
    stack.discord.addMember(evil.guildId, { id: carol, username: 'carol' });
    expect(await run(evil.guildId, carol, 'register', undefined, { nickname: 'ProNick' })).toMatch(
      /Linked[\s\S]*This server counts only verified links/,
    );
    stack.discord.setVoice(evil.guildId, carol, evil.channels.General!);

    const first = stack.faceit.seedMatch({
      faction1: [pro.id],
      faction2: [stack.faceit.seedPlayer({ nickname: 'vo_opponent' }).id],
    });
    await stack.faceit.play(stack.webhook, first.id, ['match_object_created', 'match_status_configuring']);
    await channelsIn(evil.guildId, first.id);
    const card = await cardIn(evil.channels.cards!, first.id, (t) => t.includes('Not linked in this server'));
    expect(card.text).toMatch(/Not linked in this server: ProNick.*must \/link \(sign in with FACEIT\)/);
    expect(overwriteOf(evil.guildId, first.id, 'faction1', carol)).toBeUndefined();
    expect(stack.discord.state(evil.guildId).voiceStates[carol]).toBe(evil.channels.General);
    // The hub counts nickname links: Carol is let in there (she is its member).
    await channelsIn(stack.guildId, first.id);
    expect(letsIn(overwriteOf(stack.guildId, first.id, 'faction1', carol))).toBe(true);

    // The server's own choice: nickname links count there from the next event on.
    expect(await run(evil.guildId, mallory, 'setup', 'linking', { policy: 'nickname-allowed' })).toContain(
      'nickname-allowed',
    );
    const second = stack.faceit.seedMatch({
      faction1: [pro.id],
      faction2: [stack.faceit.seedPlayer({ nickname: 'vo_opponent2' }).id],
    });
    await stack.faceit.play(stack.webhook, second.id, ['match_object_created']);
    await channelsIn(evil.guildId, second.id);
    expect(letsIn(overwriteOf(evil.guildId, second.id, 'faction1', carol))).toBe(true);
  });
});

describe('operators change verified links, and the person is told', () => {
  it('only an operator, with a reason; the member and the previous holder get a DM saying who and why', async () => {
    const alice = hub.alice as string;
    const carol = hub.carol as string;
    const everywhere = (
      userId: string,
      guildId: string,
      sub: string,
      options: Record<string, string | boolean>,
    ) => run(guildId, userId, 'admin', sub, { ...options, everywhere: true });
    expect(await everywhere(eve, evil.guildId, 'unlink', { user: alice, reason: 'mine' })).toMatch(
      /Only the operators of this bridge.*Nothing was changed/,
    );
    expect(await everywhere(OPERATOR, stack.guildId, 'unlink', { user: alice })).toMatch(/needs a reason/);
    expect(await row(alice)).toMatchObject({ verified_method: 'oauth' });

    // The application's owner (read from Discord) is an operator too, in any server the bot serves.
    const owner = stack.discord.applicationOwner().userId;
    stack.discord.addMember(stack.guildId, {
      id: owner,
      username: 'app-owner',
      permissions: String(F.ManageGuild),
    });
    expect(
      await everywhere(owner, stack.guildId, 'link', {
        user: carol,
        nickname: 'AliceNick',
        reason: 'support ticket 42',
      }),
    ).toMatch(/now linked to FACEIT account \*\*AliceNick\*\*, in every server/);
    expect(await row(carol)).toMatchObject({ faceit_nickname: 'AliceNick', verified_method: 'operator' });
    expect(await row(alice)).toBeUndefined();
    const toCarol = await stack.discord.waitForDm(carol, (m) => m.content.includes('support ticket 42'));
    expect(toCarol.content).toMatch(/operator of this bridge \(@app-owner\) linked your Discord account/);
    const toAlice = await stack.discord.waitForDm(alice, (m) => m.content.includes('support ticket 42'));
    expect(toAlice.content).toMatch(/moved FACEIT account \*\*AliceNick\*\* away/);

    expect(
      await everywhere(OPERATOR, stack.guildId, 'unlink', { user: carol, reason: 'wrong person' }),
    ).toContain('no longer linked');
    expect(await row(carol)).toBeUndefined();
    const again = await stack.discord.waitForDm(carol, (m) => m.content.includes('wrong person'));
    expect(again.content).toMatch(/\(@ops\) removed your link to FACEIT account \*\*AliceNick\*\*/);
  });
});
