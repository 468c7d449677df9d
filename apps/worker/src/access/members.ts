import type { Guild } from 'discord.js';
import type { WorkerDeps } from '../deps.ts';
import { discordCode, discordOp } from '../discord/errors.ts';
import { voiceChannelOf } from '../discord/voice.ts';

/** Discord's "Unknown Member": the user is not in the guild. */
const UNKNOWN_MEMBER = 10007;

/**
 * Which of these users are members of the guild. Known without a Discord call: members in the client's cache
 * and anyone in one of the guild's voice channels (only members have voice states there). The rest in one
 * gateway request for all of them (Request Guild Members by user id, which needs no privileged intent); a
 * copy without a gateway cache (shard leases) asks REST, one request per unknown user.
 */
export async function membersAmong(
  deps: Pick<WorkerDeps, 'guildView'>,
  guild: Guild,
  userIds: readonly string[],
): Promise<Set<string>> {
  const members = new Set<string>();
  const unknown: string[] = [];
  for (const id of new Set(userIds)) {
    if (guild.members.cache.has(id) || voiceChannelOf(guild, id)) members.add(id);
    else unknown.push(id);
  }
  if (unknown.length === 0) return members;
  if (deps.guildView) {
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
  const found = await discordOp(`read members of guild ${guild.id}`, () =>
    guild.members.fetch({ user: unknown, time: 15_000 }),
  );
  for (const id of found.keys()) members.add(id);
  return members;
}
