import { shortId } from '@bridge/core';
import type { Stack } from '@bridge/testbed';

// The match end-to-end tests import everything they use from here: the stack fixture, the queue helpers
// and the match helpers below.
export { matchJobId, shortId } from '@bridge/core';
export {
  deliveredGuildJobId,
  deliveredJobId,
  failedJobs,
  runCommand,
  settledJob,
  waitFor,
  withQueue,
} from '@bridge/testbed';
export { stackTest } from '@bridge/testbed/fixtures';

/** FACEIT players with Discord members (of `guildId`) and player_links rows (linked directly in the DB). */
export async function seedLinkedPlayers(stack: Stack, tag: string, n: number, guildId = stack.guildId) {
  const players: { faceitId: string; discordId: string; nickname: string }[] = [];
  for (let i = 0; i < n; i++) {
    const nickname = `${tag}_${i}`;
    const p = stack.faceit.seedPlayer({ nickname });
    const discordId = stack.discord.addMember(guildId, { username: nickname });
    await stack.supabase.query(
      `insert into player_links (discord_id, faceit_id, faceit_nickname, verified_method) values ($1,$2,$3,'oauth')`,
      [discordId, p.id, nickname],
    );
    players.push({ faceitId: p.id, discordId, nickname });
  }
  return players;
}

export function matchChannels(stack: Stack, matchId: string) {
  const prefix = `match-${shortId(matchId)}-`;
  return stack.discord.state(stack.guildId).channels.filter((c) => c.name.startsWith(prefix));
}

export async function matchRows(stack: Stack, matchId: string) {
  return stack.supabase.query<{ faction: string; voice_channel_id: string }>(
    'select faction, voice_channel_id from active_matches where match_id = $1 order by faction',
    [matchId],
  );
}

/** Waits until the match has exactly one channel per faction, each known by its row. */
export async function waitForChannels(stack: Stack, matchId: string, timeoutMs = 60_000) {
  const short = shortId(matchId);
  await stack.discord.waitForState(
    stack.guildId,
    (s) => {
      const names = s.channels.filter((c) => c.name.startsWith(`match-${short}-`)).map((c) => c.name);
      return names.length === 2 && new Set(names).size === 2 ? true : undefined;
    },
    timeoutMs,
  );
}

export async function waitForNoChannels(stack: Stack, matchId: string, timeoutMs = 60_000) {
  const short = shortId(matchId);
  await stack.discord.waitForState(
    stack.guildId,
    (s) => (s.channels.some((c) => c.name.startsWith(`match-${short}-`)) ? undefined : true),
    timeoutMs,
  );
}
