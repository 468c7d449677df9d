import type { DiscordEmulator, GuildSeed } from './discord/index.ts';
import type { FaceitEmulator, Player } from './faceit/index.ts';

export interface DemoWorld {
  guild: GuildSeed;
  /** Ten people with a Discord member and a FACEIT account of the same name (player1 … player10). */
  people: { username: string; discordId: string; faceit: Player }[];
  admin: { username: string; discordId: string };
}

/**
 * A hub's Discord server and its FACEIT players: a category for match channels, a lobby, a staff role,
 * an admin with Manage Server, and ten players. Shared by `pnpm sandbox` and the demo.
 */
export function seedDemoWorld(discord: DiscordEmulator, faceit: FaceitEmulator): DemoWorld {
  const names = Array.from({ length: 10 }, (_, i) => `player${i + 1}`);
  const guild = discord.seedGuild({
    name: 'FACEIT Hub',
    roles: [{ name: 'Staff' }],
    channels: [
      { name: 'Matches', type: 'category' },
      { name: 'Lobby', type: 'voice' },
      { name: 'General', type: 'voice' },
    ],
    members: [
      { username: 'hub-admin', permissions: '32' /* Manage Server */ },
      ...names.map((username) => ({ username })),
    ],
  });
  const people = names.map((username) => ({
    username,
    discordId: guild.members[username]!,
    faceit: faceit.seedPlayer({ nickname: username }),
  }));
  return { guild, people, admin: { username: 'hub-admin', discordId: guild.members['hub-admin']! } };
}
