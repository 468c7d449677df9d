import { runCommand, type Stack, waitFor } from '@bridge/testbed';
import { stackTest } from '@bridge/testbed/fixtures';
import { REST, Routes } from 'discord.js';
import { describe, expect } from 'vitest';

// The slash commands are the application's global commands: one registration per deployment (not per
// server, not per copy, not per start), and the per-server commands of earlier versions removed once.
const PUT_GLOBAL = 'PUT /applications/:app/commands';
const PUT_GUILD = 'PUT /applications/:app/guilds/:guild/commands';
const COMMANDS = ['admin', 'help', 'link', 'register', 'setup', 'status', 'unlink', 'whoami'];

const restOf = (stack: Stack) => new REST({ api: stack.discord.apiUrl }).setToken(stack.discord.botToken);
const guildCommands = async (stack: Stack, guildId: string) =>
  (
    (await restOf(stack).get(Routes.applicationGuildCommands(stack.discord.applicationId, guildId))) as {
      name: string;
    }[]
  ).map((c) => c.name);
const puts = (stack: Stack, route: string) => stack.discord.stats().byRoute[route] ?? 0;

// No API: nothing here arrives by webhook or browser (an API process is ~2 s of CPU to start).
const test = stackTest(
  { apis: 0, workers: 0, guild: { members: [{ username: 'alice' }] } },
  async (stack) => {
    // What an earlier version left in every server it was in: the commands registered per server.
    await restOf(stack).put(Routes.applicationGuildCommands(stack.discord.applicationId, stack.guildId), {
      body: COMMANDS.map((name) => ({ name, description: `old ${name}` })),
    });
    stack.discord.resetStats();
    for (let i = 0; i < 3; i++) await stack.startWorker();
  },
);

describe('global slash commands', () => {
  test('are registered once across 3 copies, and the old per-server ones are removed once (no duplicates)', async ({
    stack,
  }) => {
    await waitFor(() => stack.discord.globalCommands().length > 0 || undefined, {
      what: 'the global commands registered',
      timeoutMs: 60_000,
    });
    expect(stack.discord.globalCommands().sort()).toEqual(COMMANDS);
    // The upgraded server shows each command once: its own list emptied by the background pass.
    await waitFor(async () => (await guildCommands(stack, stack.guildId)).length === 0 || undefined, {
      what: 'the old per-server commands removed',
      timeoutMs: 60_000,
    });
    expect(puts(stack, PUT_GLOBAL)).toBe(1);
    expect(puts(stack, PUT_GUILD)).toBe(1);
    // A command works through the global registration.
    const { content } = await runCommand(stack, {
      user: stack.guild.members.alice as string,
      name: 'whoami',
    });
    expect(content).toMatch(/not linked|FACEIT/);
  });

  test('a copy that starts again registers nothing: Discord already holds these definitions', async ({
    stack,
  }) => {
    const [first] = stack.workers;
    await first?.kill('SIGTERM');
    const before = stack.discord.stats();
    await stack.startWorker();
    expect(puts(stack, PUT_GLOBAL)).toBe(1);
    expect(puts(stack, PUT_GUILD)).toBe(1);
    // Nothing per server at start: a handful of requests (the REST checks, the bot's identity, the gateway's
    // shard count and identify budget), whatever the server count.
    const after = stack.discord.stats();
    const routes = Object.entries(after.byRoute)
      .map(([route, n]) => [route, n - (before.byRoute[route] ?? 0)] as const)
      .filter(([, n]) => n > 0);
    expect(after.requests - before.requests, JSON.stringify(routes)).toBeLessThanOrEqual(12);
  });
});
