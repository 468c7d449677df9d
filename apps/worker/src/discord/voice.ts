import type { Guild } from 'discord.js';

/**
 * Who is in which voice channel of a guild, as the door to guilds read it (discord/guild.ts): the Redis
 * voice mirror that the copy holding the guild's shard keeps (gateway/voice-mirror.ts). Kept beside the
 * guild object, not in discord.js' `guild.voiceStates` (filling that takes its private constructors); moves
 * the bot makes through this guild object are written here at once, so a later step of the same job sees them.
 */
const pictures = new WeakMap<Guild, Map<string, string>>();

/** Gives `guild` its voice picture (user id → channel id) and returns it. */
export function withVoice(guild: Guild, voice: ReadonlyMap<string, string>): Guild {
  pictures.set(guild, new Map(voice));
  return guild;
}

/** The voice channel `userId` is in, or null (not in voice, or nothing known about this guild's voice). */
export function voiceChannelOf(guild: Guild, userId: string): string | null {
  return pictures.get(guild)?.get(userId) ?? null;
}

/** Who is in voice channel `channelId`. */
export function membersInVoice(guild: Guild, channelId: string): string[] {
  const picture = pictures.get(guild);
  return picture ? [...picture].filter(([, c]) => c === channelId).map(([u]) => u) : [];
}

/** A move the bot made (null: disconnected), written into the picture. */
export function recordVoiceMove(guild: Guild, userId: string, channelId: string | null): void {
  const picture = pictures.get(guild);
  if (!picture) return;
  if (channelId) picture.set(userId, channelId);
  else picture.delete(userId);
}
