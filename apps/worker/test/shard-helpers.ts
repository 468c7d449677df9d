import type { SessionLogEntry } from '@bridge/sandbox';

// What the shard tests read from the emulator's session log, for a gateway of `shards` shards.

/**
 * The worker env of a deployment of many communities (no home guild: each one set up with /setup) whose
 * copies share `shards` shards by leases.
 */
export function shardedCommunitiesEnv(shards: number, leaseMs: number): Record<string, string> {
  return {
    DISCORD_GUILD_ID: '',
    VC_CATEGORY_ID: '',
    VC_LOBBY_CHANNEL_ID: '',
    VC_STAFF_ROLE_ID: '',
    DISCORD_SHARD_COUNT: String(shards),
    DISCORD_SHARD_LEASE_MS: String(leaseMs),
  };
}

/** A guild id that Discord routes to `shard` ((id >> 22) % shards): the k-th such id above `base`. */
export function guildIdOn(shard: number, k: number, shards: number, base = 300_000_000_000): string {
  return ((BigInt(base + k * shards + shard) << 22n) | 7n).toString();
}

/** Each shard's live sessions now. */
export function liveByShard(log: SessionLogEntry[], shards: number): string[][] {
  return Array.from({ length: shards }, (_, s) =>
    log
      .filter((e) => e.shard[0] === s && e.shard[1] === shards && e.live.at(-1)?.to === null)
      .map((e) => e.sessionId),
  );
}

/** The longest stretch, over the shards, with no live session between `since` and `until` (ms). */
export function longestGap(log: SessionLogEntry[], shards: number, since: number, until: number): number {
  let worst = 0;
  for (let s = 0; s < shards; s++) {
    const intervals = log
      .filter((e) => e.shard[0] === s)
      .flatMap((e) => e.live)
      .filter((l) => (l.to ?? until) > since)
      .sort((a, b) => a.from - b.from);
    let covered = since;
    for (const l of intervals) {
      worst = Math.max(worst, l.from - covered);
      covered = Math.max(covered, l.to ?? until);
    }
    worst = Math.max(worst, until - covered);
  }
  return worst;
}
