import type { Guild } from 'discord.js';

/** Writes a move the bot made to the shared voice mirror (Redis), for the jobs of every copy. */
export type VoiceWriter = (userId: string, channelId: string | null) => Promise<unknown>;

/**
 * Who is in which voice channel of a guild, as the door to guilds read it (discord/guild.ts): the Redis
 * voice mirror that the copy holding the guild's shard keeps (gateway/voice-mirror.ts). Kept beside the
 * guild object, not in discord.js' `guild.voiceStates` (filling that takes its private constructors).
 */
const pictures = new WeakMap<Guild, { voice: Map<string, string>; write?: VoiceWriter }>();

/** Gives `guild` its voice picture (user id → channel id) and returns it. */
export function withVoice(guild: Guild, voice: ReadonlyMap<string, string>, write?: VoiceWriter): Guild {
  pictures.set(guild, { voice: new Map(voice), ...(write ? { write } : {}) });
  return guild;
}

/** The voice channel `userId` is in, or null (not in voice, or nothing known about this guild's voice). */
export function voiceChannelOf(guild: Guild, userId: string): string | null {
  return pictures.get(guild)?.voice.get(userId) ?? null;
}

/** Who is in voice channel `channelId`. */
export function membersInVoice(guild: Guild, channelId: string): string[] {
  const picture = pictures.get(guild);
  return picture ? [...picture.voice].filter(([, c]) => c === channelId).map(([u]) => u) : [];
}

/**
 * A move the bot made (null: disconnected), written into the picture at once, so a later step of the same
 * job sees it, and into the mirror, so a job on another copy does too: the shard's holder writes it from
 * Discord's own event, but that holder may be gone (its shard waits up to a lease for the next one). A
 * mirror that cannot be written is left to that event.
 */
export async function recordVoiceMove(guild: Guild, userId: string, channelId: string | null): Promise<void> {
  const picture = pictures.get(guild);
  if (!picture) return;
  if (channelId) picture.voice.set(userId, channelId);
  else picture.voice.delete(userId);
  await picture.write?.(userId, channelId).catch(() => {});
}
