import type { Stack } from '@bridge/testbed';

/** Links each FACEIT player to their Discord member in one insert (as a verified OAuth link). */
export async function linkPlayers(
  stack: Stack,
  people: readonly { discordId: string; player: { id: string; nickname: string } }[],
): Promise<void> {
  await stack.supabase.query(
    `insert into player_links (discord_id, faceit_id, faceit_nickname, verified_method)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
    [
      people.map((p) => p.discordId),
      people.map((p) => p.player.id),
      people.map((p) => p.player.nickname),
      people.map(() => 'oauth'),
    ],
  );
}

/**
 * The `m`-th match of a run: READY, two linked players per team, all four waiting in the lobby (their
 * names are unique per `m`).
 */
export async function seedReadyMatch(stack: Stack, m: number) {
  const { discord, faceit, guildId, guild } = stack;
  const people = Array.from({ length: 4 }, (_, i) => {
    const username = `m${m}p${i}`;
    const discordId = discord.addMember(guildId, { username });
    const player = faceit.seedPlayer({ nickname: username });
    discord.setVoice(guildId, discordId, guild.channels.Lobby!);
    return { discordId, player };
  });
  await linkPlayers(stack, people);
  const match = faceit.seedMatch({
    faction1: [people[0]!.player.id, people[1]!.player.id],
    faction2: [people[2]!.player.id, people[3]!.player.id],
    status: 'READY',
  });
  return { match, people };
}
