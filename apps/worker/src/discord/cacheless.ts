/**
 * discord.js without its own gateway session (discord/client.ts). Its structures are still the best way to
 * call REST and to run the command handlers, so this file reads guilds over REST with discord.js' public
 * calls, and hands raw interactions to discord.js (the one private call left, `emitInteraction`).
 */
import type { APIInteraction, Client, Guild } from 'discord.js';
import { discordCode } from './errors.ts';
import { type VoiceWriter, withVoice } from './voice.ts';

/**
 * A guild as REST and the voice mirror describe it: its roles (GET /guilds/{id}), its channels
 * (GET /guilds/{id}/channels) and who is in which voice channel (`voice`: user id → channel id, from Redis).
 * Every call is a fresh picture. null when the bot is not in the guild; any other failure (a timeout, a 5xx)
 * throws, so that a job retries instead of taking the guild for gone.
 */
export async function restGuild(
  client: Client<true>,
  guildId: string,
  voice: ReadonlyMap<string, string>,
  write?: VoiceWriter,
): Promise<Guild | null> {
  const guild = await freshGuild(client, guildId);
  return guild && withVoice(guild, voice, write);
}

/**
 * The guild read again, kept in the client's cache: discord.js gives what it creates in a guild (a channel)
 * back only for a guild it has cached. So the cache holds the guilds the bridge works in, not every server.
 * Channels are listed whole and those no longer listed dropped (fetching adds, it never removes).
 */
async function freshGuild(client: Client<true>, guildId: string): Promise<Guild | null> {
  const guild = await client.guilds.fetch({ guild: guildId, force: true }).catch(notInGuild);
  if (!guild) {
    client.guilds.cache.delete(guildId);
    return null;
  }
  const listed = await guild.channels.fetch();
  for (const id of guild.channels.cache.keys()) if (!listed.has(id)) guild.channels.cache.delete(id);
  return guild;
}

const reads = new WeakMap<Client, Map<string, Promise<Guild | null>>>();

/**
 * Puts a fresh copy of the guild (roles, channels) in the client's cache, for what reads `interaction.guild`
 * (the command handlers). Commands arriving while
 * a read of their guild is on its way (a server's members all typing /register) share it: two requests per
 * command would spend Discord's per-route limits that match jobs need. Only a read still on its way is
 * shared, so a command sees the guild as it was at most one read's time before it arrived.
 */
export function cacheGuild(client: Client<true>, guildId: string): Promise<Guild | null> {
  const inFlight = reads.get(client) ?? new Map<string, Promise<Guild | null>>();
  reads.set(client, inFlight);
  const pending = inFlight.get(guildId);
  if (pending) return pending;
  const read = freshGuild(client, guildId).finally(() => inFlight.delete(guildId));
  inFlight.set(guildId, read);
  return read;
}

/**
 * Turns a raw INTERACTION_CREATE into discord.js' interaction and emits `interactionCreate` on the client,
 * exactly as discord.js' own dispatch handler does.
 */
export function emitInteraction(client: Client, data: APIInteraction): void {
  const actions = (client as unknown as { actions: { InteractionCreate: { handle(d: unknown): void } } })
    .actions;
  actions.InteractionCreate.handle(data);
}

/** Unknown Guild (10004) or Missing Access (50001) on the guild itself: the bot is not in it. */
function notInGuild(err: unknown): null {
  if ([10004, 50001].includes(discordCode(err) ?? 0)) return null;
  throw err;
}
