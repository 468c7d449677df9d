/**
 * discord.js without its own gateway session (discord/client.ts). Its structures are still the best way to
 * call REST and to run the command handlers, so this file reads guilds over REST with discord.js' public
 * calls, and hands raw interactions to discord.js (the one private call left, `emitInteraction`).
 */
import type { APIInteraction, Client, Guild } from 'discord.js';
import type { GuildReadSharing } from '../deps.ts';
import { discordCode } from './errors.ts';
import { type VoiceWriter, withVoice } from './voice.ts';

/**
 * How long a read of a guild is shared with the match work that asks for it after. Every job, card and late
 * joiner of a guild asks for it (two requests: the guild and its channel listing, on per-guild routes of about
 * 10 per 10 s): a match's events come in bursts, and reading again for each spent those routes' budget and made
 * the next read wait out Discord's window (~9 s). This copy's own creates and deletes keep the channels it
 * knows current; what another copy did within the window shows in the next read (a build re-lists the guild
 * where that matters).
 */
export const GUILD_READ_SHARED_MS = 2_000;

/**
 * A guild as REST and the voice mirror describe it: its roles (GET /guilds/{id}), its channels
 * (GET /guilds/{id}/channels) and who is in which voice channel (`voice`: user id → channel id, from Redis,
 * as it is now). null when the bot is not in the guild; any other failure (a timeout, a 5xx) throws, so that
 * a job retries instead of taking the guild for gone.
 */
export async function restGuild(
  client: Client<true>,
  guildId: string,
  voice: ReadonlyMap<string, string>,
  write?: VoiceWriter,
  sharing: GuildReadSharing = 'recent',
): Promise<Guild | null> {
  const guild = await cacheGuild(client, guildId, sharing);
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

interface Read {
  read: Promise<Guild | null>;
  /** when it answered with the guild; unset while on its way */
  at?: number;
}
const reads = new WeakMap<Client, Map<string, Read>>();

/**
 * Puts a fresh copy of the guild (roles, channels) in the client's cache, for the door to guilds and for what
 * reads `interaction.guild` (the command handlers), taking an earlier read as `sharing` allows (a server's
 * members all typing /register share one). The latest read is kept GUILD_READ_SHARED_MS after it answered; a
 * failed read, or a guild the bot is not in, is not kept.
 */
export function cacheGuild(
  client: Client<true>,
  guildId: string,
  sharing: GuildReadSharing = 'in-flight',
): Promise<Guild | null> {
  const byGuild = reads.get(client) ?? new Map<string, Read>();
  reads.set(client, byGuild);
  const known = byGuild.get(guildId);
  if (known && sharing !== 'none') {
    if (known.at === undefined) return known.read;
    if (sharing === 'recent' && Date.now() - known.at < GUILD_READ_SHARED_MS) return known.read;
  }
  const entry: Read = { read: freshGuild(client, guildId) };
  byGuild.set(guildId, entry);
  const forget = () => {
    if (byGuild.get(guildId) === entry) byGuild.delete(guildId);
  };
  entry.read.then((guild) => {
    if (!guild) return forget();
    entry.at = Date.now();
    setTimeout(forget, GUILD_READ_SHARED_MS).unref();
  }, forget);
  return entry.read;
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
