/**
 * discord.js without its own gateway session (discord/client.ts). Its structures are still the best way to
 * call REST and to run the command handlers, so this file reads guilds over REST with discord.js' public
 * calls, and hands raw interactions to discord.js (the one private call left, `emitInteraction`).
 */
import type { APIInteraction, Client, Guild } from 'discord.js';
import { discordCode } from './errors.ts';
import { withVoice } from './voice.ts';

/**
 * A guild as REST and the voice mirror describe it: its roles (GET /guilds/{id}), its channels
 * (GET /guilds/{id}/channels) and who is in which voice channel (`voice`: user id → channel id, from Redis).
 * Not cached on the client: every call is a fresh picture. null when the bot is not in the guild; any other
 * failure (a timeout, a 5xx) throws, so that a job retries instead of taking the guild for gone.
 */
export async function restGuild(
  client: Client<true>,
  guildId: string,
  voice: ReadonlyMap<string, string>,
): Promise<Guild | null> {
  const guild = await client.guilds.fetch({ guild: guildId, force: true, cache: false }).catch(notInGuild);
  if (!guild) return null;
  await guild.channels.fetch();
  return withVoice(guild, voice);
}

/** A burst of commands in one guild shares one read of it begun less than this long ago. */
export const SHARED_READ_MS = 2000;
const reads = new WeakMap<Client, Map<string, { at: number; read: Promise<Guild | null> }>>();

/**
 * Puts a fresh copy of the guild (roles, channels) in the client's cache, for what reads `interaction.guild`
 * (the command handlers). Channels are re-read whole, so deleted ones do not linger. Commands arriving
 * together (a server's members all typing /register) share one read begun within SHARED_READ_MS: two
 * requests per command would spend Discord's per-route limits that match jobs need.
 */
export function cacheGuild(client: Client<true>, guildId: string): Promise<Guild | null> {
  let byGuild = reads.get(client);
  if (!byGuild) reads.set(client, (byGuild = new Map()));
  const now = Date.now();
  const recent = byGuild.get(guildId);
  if (recent && now - recent.at < SHARED_READ_MS) return recent.read;
  for (const [id, r] of byGuild) if (now - r.at >= SHARED_READ_MS) byGuild.delete(id);
  const read = (async () => {
    const guild = await client.guilds.fetch({ guild: guildId, force: true }).catch(notInGuild);
    if (!guild) return null;
    guild.channels.cache.clear();
    await guild.channels.fetch();
    return guild;
  })();
  // A failed read is not shared: the next command tries again.
  read.catch(() => {
    if (byGuild.get(guildId)?.read === read) byGuild.delete(guildId);
  });
  byGuild.set(guildId, { at: now, read });
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
