import type { Guild } from 'discord.js';
import { discordCode } from '../discord/errors.ts';
import { voiceChannelOf } from '../discord/voice.ts';

/** Discord's "Unknown Member": the user is not in the guild. */
const UNKNOWN_MEMBER = 10007;

/**
 * Which of these users are members of the guild. Known without a Discord call: members already read through
 * this guild object, and anyone in one of its voice channels (only members have voice states there). The rest
 * are asked of REST, one request per unknown user, all at once: the worker has no gateway cache, and asking
 * the gateway (Request Guild Members) would need the session of the copy holding the guild's shard.
 */
export async function membersAmong(guild: Guild, userIds: readonly string[]): Promise<Set<string>> {
  const members = new Set<string>();
  const unknown: string[] = [];
  for (const id of new Set(userIds)) {
    if (guild.members.cache.has(id) || voiceChannelOf(guild, id)) members.add(id);
    else unknown.push(id);
  }
  await Promise.all(
    unknown.map(async (id) => {
      try {
        await guild.members.fetch({ user: id, force: true });
        members.add(id);
      } catch (err) {
        if (discordCode(err) !== UNKNOWN_MEMBER) throw err;
      }
    }),
  );
  return members;
}
