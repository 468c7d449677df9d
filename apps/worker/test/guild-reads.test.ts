import { type DiscordEmulator, startDiscordEmulator } from '@bridge/sandbox';
import { waitFor } from '@bridge/testbed';
import { ChannelType, type Client } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheGuild, GUILD_READ_SHARED_MS, restGuild } from '../src/discord/cacheless.ts';
import { stillThere } from '../src/discord/channels.ts';
import { restClient } from '../src/discord/client.ts';

// The door to guilds reads a guild over REST (the guild, then its channel listing): match work close together
// shares one read, so a burst of a server's jobs does not spend the per-guild routes' budget; what must see
// the guild as it is now does not. The real discord.js client against the emulator.
let emu: DiscordEmulator;
let client: Client<true>;
beforeAll(async () => {
  emu = await startDiscordEmulator();
  client = await restClient({ token: emu.botToken, apiUrl: emu.apiUrl });
});
afterAll(async () => {
  await client?.destroy();
  await emu?.close();
});

const reads = () => {
  const by = emu.stats().byRoute;
  return { guild: by['GET /guilds/:guild'] ?? 0, listing: by['GET /guilds/:guild/channels'] ?? 0 };
};
const noVoice = new Map<string, string>();

describe('reads of a guild', () => {
  it('are shared while one is on its way and for a moment after; then a read sees what changed', async () => {
    const seed = emu.seedGuild({ channels: [{ name: 'Lobby', type: 'voice' }] });
    const before = reads();
    const burst = await Promise.all([1, 2, 3].map(() => restGuild(client, seed.guildId, noVoice)));
    expect(new Set(burst).size).toBe(1);
    expect(burst[0]?.channels.cache.has(seed.channels.Lobby)).toBe(true);
    // Right after: the same picture, nothing asked.
    await restGuild(client, seed.guildId, noVoice);
    expect(reads()).toEqual({ guild: before.guild + 1, listing: before.listing + 1 });

    // A channel another worker copy makes (its own request, not this client's) shows in the first read after
    // the window.
    const res = await fetch(`${emu.apiUrl}/v10/guilds/${seed.guildId}/channels`, {
      method: 'POST',
      headers: { Authorization: `Bot ${emu.botToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'made-elsewhere', type: ChannelType.GuildVoice }),
    });
    expect(res.ok).toBe(true);
    const made = (await res.json()) as { id: string };
    const fresh = await waitFor(
      async () => {
        const g = await restGuild(client, seed.guildId, noVoice);
        return g?.channels.cache.get(made.id) ? g : undefined;
      },
      { what: 'the new channel seen', timeoutMs: 10 * GUILD_READ_SHARED_MS },
    );
    expect(fresh.channels.cache.get(made.id)?.type).toBe(ChannelType.GuildVoice);
    expect(reads()).toEqual({ guild: before.guild + 2, listing: before.listing + 2 });
  });

  it('a channel another copy deleted since stays in the shared picture until checked with Discord', async () => {
    const seed = emu.seedGuild({ channels: [{ name: 'Matches', type: 'category' }] });
    const made = await fetch(`${emu.apiUrl}/v10/guilds/${seed.guildId}/channels`, {
      method: 'POST',
      headers: { Authorization: `Bot ${emu.botToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'match-x-faction1', type: ChannelType.GuildVoice }),
    }).then((r) => r.json() as Promise<{ id: string }>);
    const picture = await restGuild(client, seed.guildId, noVoice);
    expect(picture?.channels.cache.has(made.id)).toBe(true);
    const gone = await fetch(`${emu.apiUrl}/v10/channels/${made.id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bot ${emu.botToken}` },
    });
    expect(gone.ok).toBe(true);
    // The next read within the window shares the picture: the channel is still in it.
    expect((await restGuild(client, seed.guildId, noVoice))?.channels.cache.has(made.id)).toBe(true);
    // What a build checks before adopting a channel by its name.
    expect(await stillThere(picture!, made.id)).toBeNull();
    expect(picture?.channels.cache.has(made.id)).toBe(false);
    const kept = seed.channels.Matches;
    expect((await stillThere(picture!, kept))?.id).toBe(kept);
  });

  it("for commands only a read on its way is shared; the sweep's and level roles' reads are never shared", async () => {
    const seed = emu.seedGuild({});
    let before = reads().guild;
    await Promise.all([1, 2].map(() => cacheGuild(client, seed.guildId, 'in-flight')));
    expect(reads().guild).toBe(before + 1);
    await cacheGuild(client, seed.guildId, 'in-flight');
    expect(reads().guild).toBe(before + 2);
    before = reads().guild;
    await Promise.all([1, 2].map(() => restGuild(client, seed.guildId, noVoice, undefined, 'none')));
    expect(reads().guild).toBe(before + 2);
  });

  it('keep neither a failure nor a guild the bot is not in: the next read asks again', async () => {
    const seed = emu.seedGuild({});
    emu.setFault({ route: 'GET /guilds/:guild', kind: 'status', status: 500, times: 10 });
    try {
      await expect(restGuild(client, seed.guildId, noVoice)).rejects.toThrow();
    } finally {
      emu.clearFaults();
    }
    const g = await restGuild(client, seed.guildId, noVoice);
    expect(g?.id).toBe(seed.guildId);

    const before = reads().guild;
    expect(await restGuild(client, '123456789012345678', noVoice)).toBeNull();
    expect(await restGuild(client, '123456789012345678', noVoice)).toBeNull();
    expect(reads().guild).toBe(before + 2);
  });
});
