import {
  DEFAULT_LINK_POLICY,
  keyGroup,
  type LiveRosters,
  type Logger,
  linksInGuild,
  type MatchStore,
  type RedisClient,
  shardOfGuild,
} from '@bridge/core';

/** A member's team channel of an active match. */
export interface LiveChannel {
  matchId: string;
  channelId: string;
}

/** How often the whole set is read again, in case a change was never announced (a publisher died). */
const RELOAD_MS = 60_000;
/** What the message names when every guild may have changed (a player linked or unlinked). */
const EVERY_GUILD = '*';

/** The pub/sub channel on which the jobs announce that a guild's live members changed. */
export function liveChannelName(redis: RedisClient, prefix: string): string {
  return `${keyGroup(redis, prefix, 'gateway')}:live-members`;
}

/**
 * Announces that these guilds' team channels or rosters changed (or, with no guild, that links did): the
 * copies holding their shards read them again. Sent after the change is committed.
 */
export async function announceLiveChange(
  redis: RedisClient,
  prefix: string,
  guildIds: readonly string[] | 'links',
): Promise<void> {
  const message = guildIds === 'links' ? EVERY_GUILD : guildIds.join(',');
  if (message) await redis.publish(liveChannelName(redis, prefix), message);
}

/**
 * Which members have a team channel of an active match, in the guilds of the shards this copy receives events
 * for, kept in memory: the late-join listener asks it on every voice connect, so a connect by anyone else
 * costs no round trip. Read from the database per shard when the shard is taken (match_live_members), again
 * for a guild when a job announces a change there (Redis pub/sub), and whole every RELOAD_MS and after the
 * subscription reconnects (pub/sub delivers at most once).
 *
 * Reads may finish out of order: for each guild the answer of the read *started* last wins, so an older read
 * landing late never undoes a newer one (a job announces after its commit, so the read it starts sees it).
 */
export class LiveMembers {
  readonly #store: Pick<MatchStore, 'liveMembers'>;
  readonly #log: Logger;
  #shardCount = 1;
  readonly #shards = new Set<number>();
  /** guild → member → channels */
  readonly #byGuild = new Map<string, Map<string, LiveChannel[]>>();
  /** guild → the sequence number of the read its entry came from */
  readonly #readAt = new Map<string, number>();
  #seq = 0;
  #subscriber: RedisClient | null = null;
  #timer: NodeJS.Timeout | undefined;
  /** Called for members who became live while this copy holds their guild (they may be in voice already). */
  onLive: (guildId: string, userId: string, channels: LiveChannel[]) => void = () => {};

  constructor(store: Pick<MatchStore, 'liveMembers'>, log: Logger) {
    this.#store = store;
    this.#log = log;
  }

  /** The member's live team channels in this guild (empty for anyone not playing). In memory. */
  channelsOf(guildId: string, userId: string): readonly LiveChannel[] {
    return this.#byGuild.get(guildId)?.get(userId) ?? [];
  }

  /** Guilds with live members now, and their members (for checks after a shard is taken). */
  entries(): ReadonlyMap<string, ReadonlyMap<string, readonly LiveChannel[]>> {
    return this.#byGuild;
  }

  /** Reads the members of a shard this copy now receives events for. */
  async addShard(shard: number, shardCount: number): Promise<void> {
    this.#shardCount = shardCount;
    this.#shards.add(shard);
    await this.#loadShard(shard);
  }

  /** Forgets a shard another copy holds now. */
  dropShard(shard: number): void {
    this.#shards.delete(shard);
    for (const guildId of [...this.#byGuild.keys()]) {
      if (shardOfGuild(guildId, this.#shardCount) === shard) {
        this.#byGuild.delete(guildId);
        this.#readAt.delete(guildId);
      }
    }
  }

  /** Reads these guilds again (those on this copy's shards). */
  async refresh(guildIds: readonly string[]): Promise<void> {
    const mine = guildIds.filter((g) => this.#shards.has(shardOfGuild(g, this.#shardCount)));
    if (mine.length === 0) return;
    const seq = ++this.#seq;
    this.#apply(seq, mine, await this.#store.liveMembers({ guildIds: mine }));
  }

  /** Reads every shard again. */
  async reload(): Promise<void> {
    await Promise.all([...this.#shards].map((s) => this.#loadShard(s)));
  }

  /** Listens for announced changes and reloads on a timer. `subscriber` is a connection of its own. */
  async listen(subscriber: RedisClient, prefix: string): Promise<void> {
    this.#subscriber = subscriber;
    const channel = liveChannelName(subscriber, prefix);
    subscriber.on('message', (ch: string, message: string) => {
      if (ch !== channel) return;
      const work = message === EVERY_GUILD ? this.reload() : this.refresh(message.split(','));
      work.catch((err: Error) =>
        this.#log.warn({ err: err.message }, 'live members not read; the next reload will'),
      );
    });
    // Messages published while the subscription was down are lost: read everything once it is back.
    let first = true;
    subscriber.on('ready', () => {
      if (first) return;
      void this.reload().catch(() => {});
    });
    await subscriber.subscribe(channel);
    first = false;
    this.#timer = setInterval(() => {
      void this.reload().catch((err: Error) =>
        this.#log.warn({ err: err.message }, 'live members not read; the next reload will'),
      );
    }, RELOAD_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#subscriber?.disconnect();
  }

  async #loadShard(shard: number): Promise<void> {
    const seq = ++this.#seq;
    const read = await this.#store.liveMembers({ shard, shardCount: this.#shardCount });
    if (!this.#shards.has(shard)) return;
    const guilds = new Set(read.rosters.map((r) => r.guild_id));
    for (const g of this.#byGuild.keys()) if (shardOfGuild(g, this.#shardCount) === shard) guilds.add(g);
    this.#apply(seq, [...guilds], read);
  }

  /** Replaces these guilds' entries with what `read` says (read at `seq`), unless a later read did already. */
  #apply(seq: number, guildIds: readonly string[], read: LiveRosters): void {
    const fresh = new Map<string, Map<string, LiveChannel[]>>();
    const rosters = new Map<string, LiveRosters['rosters']>();
    for (const r of read.rosters) rosters.set(r.guild_id, [...(rosters.get(r.guild_id) ?? []), r]);
    for (const [guildId, rows] of rosters) {
      // Who is who in this guild, as everywhere else (its policy, its server links).
      const policy = read.policies[guildId] ?? DEFAULT_LINK_POLICY;
      const memberOf = new Map(
        linksInGuild({ guildId, policy, ...read.links }).map((l) => [l.faceitId, l.discordId]),
      );
      const members = new Map<string, LiveChannel[]>();
      for (const r of rows) {
        const discordId = memberOf.get(r.faceit_id);
        if (!discordId) continue;
        members.set(discordId, [
          ...(members.get(discordId) ?? []),
          { matchId: r.match_id, channelId: r.voice_channel_id },
        ]);
      }
      if (members.size > 0) fresh.set(guildId, members);
    }
    for (const guildId of guildIds) {
      if ((this.#readAt.get(guildId) ?? 0) > seq) continue;
      if (!this.#shards.has(shardOfGuild(guildId, this.#shardCount))) continue;
      this.#readAt.set(guildId, seq);
      const before = this.#byGuild.get(guildId);
      const now = fresh.get(guildId);
      if (now) this.#byGuild.set(guildId, now);
      else this.#byGuild.delete(guildId);
      for (const [userId, channels] of now ?? []) {
        const had = before?.get(userId) ?? [];
        const added = channels.filter((c) => !had.some((h) => h.channelId === c.channelId));
        if (added.length > 0) this.onLive(guildId, userId, added);
      }
    }
  }
}
