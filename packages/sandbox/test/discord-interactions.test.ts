import {
  ActionRowBuilder,
  type ApplicationCommandDataResolvable,
  ApplicationCommandOptionType,
  ButtonBuilder,
  ButtonStyle,
  type ChatInputCommandInteraction,
  type Client,
  MessageFlags,
} from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DiscordEmulator, type GuildSeed, startDiscordEmulator } from '../src/discord/index.ts';
import { loginClient } from '../src/discord/testing.ts';
import { apiError } from './discord-api-error.ts';

let emu: DiscordEmulator;
let seed: GuildSeed;
let client: Client<true>;

const COMMANDS: ApplicationCommandDataResolvable[] = [
  { name: 'link', description: 'Link your FACEIT account' },
  {
    name: 'match',
    description: 'Match tools',
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'status',
        description: 'Show a match',
        options: [
          { type: ApplicationCommandOptionType.String, name: 'id', description: 'match id', required: true },
          { type: ApplicationCommandOptionType.User, name: 'who', description: 'player' },
        ],
      },
    ],
  },
];

beforeEach(async () => {
  emu = await startDiscordEmulator();
  seed = emu.seedGuild({
    channels: [{ name: 'general', type: 'text' }],
    members: [{ username: 'alice' }, { username: 'bob' }, { username: 'closed', dmsClosed: true }],
  });
  client = await loginClient(emu);
});

afterEach(async () => {
  await client.destroy();
  await emu.close();
});

/** Runs handler for the next chat command and resolves with what it returned (or threw). */
function onNextCommand<T>(handler: (i: ChatInputCommandInteraction) => Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    client.once('interactionCreate', (i) => {
      if (!i.isChatInputCommand()) return reject(new Error('not a chat command'));
      handler(i).then(resolve, reject);
    });
  });
}

describe('discord emulator interactions and DMs', () => {
  it('registers guild commands and refuses to invoke unregistered ones', async () => {
    const alice = seed.members.alice as string;
    await expect(emu.invokeCommand({ guildId: seed.guildId, userId: alice, name: 'link' })).rejects.toThrow(
      /never registered/,
    );
    const guild = client.guilds.cache.get(seed.guildId);
    const set = await guild?.commands.set(COMMANDS);
    expect([...(set?.values() ?? [])].map((c) => c.name).sort()).toEqual(['link', 'match']);
    expect(set?.first()?.applicationId).toBe(emu.applicationId);
    expect(
      emu
        .state(seed.guildId)
        .commands?.map((c) => c.name)
        .sort(),
    ).toEqual(['link', 'match']);
    const fetched = await guild?.commands.fetch();
    expect(fetched?.size).toBe(2);
    // A second bulk overwrite keeps ids of commands with the same name.
    const again = await guild?.commands.set(COMMANDS);
    expect(again?.find((c) => c.name === 'link')?.id).toBe(set?.find((c) => c.name === 'link')?.id);
  });

  it('delivers a slash command and records an ephemeral reply with a Link button; a second reply gets 40060', async () => {
    await client.guilds.cache.get(seed.guildId)?.commands.set(COMMANDS);
    const alice = seed.members.alice as string;
    const url = 'https://sandbox.test/link?state=abc';
    const handled = onNextCommand(async (i) => {
      expect(i.commandName).toBe('link');
      expect(i.user.id).toBe(alice);
      expect(i.guildId).toBe(seed.guildId);
      expect(i.channelId).toBe(seed.channels.general);
      const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder().setStyle(ButtonStyle.Link).setURL(url).setLabel('Link FACEIT'),
      );
      await i.reply({ content: 'Click to link', components: [row], flags: MessageFlags.Ephemeral });
      return apiError(
        i.client.rest.post(`/interactions/${i.id}/${i.token}/callback`, {
          body: { type: 4, data: { content: 'again' } },
          auth: false,
        }),
      );
    });
    const record = await emu.invokeCommand({ guildId: seed.guildId, userId: alice, name: 'link' });
    const response = await record.waitForResponse();
    expect(response.type).toBe(4);
    expect(response.ephemeral).toBe(true);
    expect(response.content).toBe('Click to link');
    expect(response.components).toEqual([
      { type: 1, components: [{ type: 2, style: 5, url, label: 'Link FACEIT' }] },
    ]);
    const second = await handled;
    expect(second.code).toBe(40060);
    expect(second.message).toBe('Interaction has already been acknowledged.');
    expect(record.responses).toHaveLength(1);
  });

  it('supports defer + editReply (%40original) + followUp, with subcommands and options', async () => {
    await client.guilds.cache.get(seed.guildId)?.commands.set(COMMANDS);
    const alice = seed.members.alice as string;
    const bob = seed.members.bob as string;
    const handled = onNextCommand(async (i) => {
      expect(i.options.getSubcommand()).toBe('status');
      expect(i.options.getString('id')).toBe('1-abc');
      expect(i.options.getUser('who')?.username).toBe('bob');
      await i.deferReply({ flags: MessageFlags.Ephemeral });
      await i.editReply({ content: 'Match 1-abc: live' });
      const original = await i.fetchReply();
      const follow = await i.followUp({ content: 'Follow-up', flags: MessageFlags.Ephemeral });
      return { original: original.content, follow: follow.content };
    });
    const record = await emu.invokeCommand({
      guildId: seed.guildId,
      userId: alice,
      name: 'match',
      subcommand: 'status',
      options: { id: '1-abc', who: bob },
    });
    const reply = await record.waitForReply();
    expect(reply.content).toBe('Match 1-abc: live');
    expect(reply.ephemeral).toBe(true);
    expect(record.responses[0]?.type).toBe(5);
    expect(await handled).toEqual({ original: 'Match 1-abc: live', follow: 'Follow-up' });
    expect(record.followUps.map((f) => f.content)).toEqual(['Follow-up']);
    expect(emu.stats().byRoute['PATCH /webhooks/:app/:token/messages/:message']).toBe(1);
  });

  it('expires interaction tokens after 15 minutes: later edits and follow-ups get 401 50027', async () => {
    await client.guilds.cache.get(seed.guildId)?.commands.set(COMMANDS);
    const alice = seed.members.alice as string;
    const normal = await emu.invokeCommand({ guildId: seed.guildId, userId: alice, name: 'link' });
    expect(normal.expiresAt - normal.createdAt).toBe(15 * 60_000);

    // The same rule with a short lifetime, so the test need not wait 15 minutes.
    await client.destroy();
    await emu.close();
    emu = await startDiscordEmulator({ interactionTokenTtlMs: 400 });
    seed = emu.seedGuild({ members: [{ username: 'alice' }] });
    client = await loginClient(emu);
    await client.guilds.cache.get(seed.guildId)?.commands.set(COMMANDS);
    let interaction: ChatInputCommandInteraction | undefined;
    const deferred = onNextCommand(async (i) => {
      interaction = i;
      await i.deferReply({ flags: MessageFlags.Ephemeral });
      await i.editReply({ content: 'in time' });
    });
    const record = await emu.invokeCommand({
      guildId: seed.guildId,
      userId: seed.members.alice as string,
      name: 'link',
    });
    await deferred;
    expect((await record.waitForReply()).content).toBe('in time');
    // Wait (on the clock, which is the condition here) until the token's lifetime is over.
    while (Date.now() < record.expiresAt)
      await new Promise((r) => setTimeout(r, record.expiresAt - Date.now()));
    const edit = await apiError(interaction?.editReply({ content: 'too late' }) ?? Promise.resolve());
    expect(edit.status).toBe(401);
    expect(edit.code).toBe(50027);
    expect(edit.message).toBe('Invalid Webhook Token');
    const follow = await apiError(interaction?.followUp({ content: 'too late' }) ?? Promise.resolve());
    expect(follow.code).toBe(50027);
    expect(record.original?.content).toBe('in time');
    expect(record.followUps).toHaveLength(0);
  });

  it('answers 10062 to a callback for an unknown interaction', async () => {
    const err = await apiError(
      client.rest.post('/interactions/123456789012345678/nope/callback', {
        body: { type: 4, data: { content: 'x' } },
        auth: false,
      }),
    );
    expect(err.code).toBe(10062);
  });

  it('sends DMs readable through dms() and waitForDm(), and 50007 when DMs are closed', async () => {
    const bob = seed.members.bob as string;
    const user = await client.users.fetch(bob);
    const waiting = emu.waitForDm(bob, (m) => m.content.includes('ready'));
    await user.send({
      content: 'Your match is ready',
      components: [
        new ActionRowBuilder<ButtonBuilder>().addComponents(
          new ButtonBuilder().setStyle(ButtonStyle.Link).setURL('https://sandbox.test/m/1').setLabel('Open'),
        ),
      ],
    });
    const dm = await waiting;
    expect(dm.content).toBe('Your match is ready');
    expect(dm.components).toEqual([
      { type: 1, components: [{ type: 2, style: 5, url: 'https://sandbox.test/m/1', label: 'Open' }] },
    ]);
    await user.send('second');
    expect(emu.dms(bob).map((m) => m.content)).toEqual(['Your match is ready', 'second']);
    expect(user.dmChannel?.recipientId).toBe(bob);

    const closed = await client.users.fetch(seed.members.closed as string);
    const err = await apiError(closed.send('hi'));
    expect(err.code).toBe(50007);
    expect(emu.dms(seed.members.closed as string)).toEqual([]);
  });
});
