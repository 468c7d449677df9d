/**
 * How worker copies share the gateway's shards. Every copy sees the same list of live copies (heartbeats in
 * Redis) and the same leases, and computes its own move from them: no coordinator.
 */

/**
 * The shards copy `rank` (its position in the sorted list of `copies` live copies) should hold: an even split,
 * the first `shardCount % copies` copies holding one more. The targets add up to `shardCount`, so no shard is
 * left without a copy that wants it; copies past the shard count get 0 and only run jobs.
 */
export function shardTarget(shardCount: number, copies: number, rank: number): number {
  if (copies <= 0 || rank < 0 || rank >= copies) return 0;
  return Math.floor(shardCount / copies) + (rank < shardCount % copies ? 1 : 0);
}

export interface ShardView {
  shardCount: number;
  /** ids of the live copies, this one included */
  copies: readonly string[];
  self: string;
  /** the copy holding each shard's lease (index = shard id), null when free */
  holders: readonly (string | null)[];
}

export interface ShardMove {
  target: number;
  /** free shards to lease now */
  take: number[];
  /** held shards to hand over (surplus over the target) */
  release: number[];
}

/**
 * One copy's next step: take free shards up to its target, hand over what it holds beyond it. Surplus goes
 * highest shard first, takes lowest first, so two copies' moves do not chase each other's shards.
 */
export function planShards(view: ShardView): ShardMove {
  const sorted = [...new Set([...view.copies, view.self])].sort();
  const target = shardTarget(view.shardCount, sorted.length, sorted.indexOf(view.self));
  const held: number[] = [];
  const free: number[] = [];
  for (let shard = 0; shard < view.shardCount; shard++) {
    const holder = view.holders[shard] ?? null;
    if (holder === view.self) held.push(shard);
    else if (holder === null) free.push(shard);
  }
  if (held.length > target) return { target, take: [], release: held.slice(target).reverse() };
  return { target, take: free.slice(0, target - held.length), release: [] };
}

/** The gateway shard Discord delivers guild `guildId`'s events to: `(guild_id >> 22) % shardCount`. */
export function shardOfGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}
