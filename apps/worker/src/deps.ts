import type {
  BridgeQueues,
  CardStore,
  FaceitDataApi,
  FaceitOAuthClient,
  GuildStore,
  LevelSettingsStore,
  Logger,
  MatchStore,
  Metrics,
  PlayerLinkStore,
  RedisClient,
  WorkerConfig,
} from '@bridge/core';
import type { Client, Guild } from 'discord.js';

/**
 * Which earlier read of a guild a caller may take instead of reading it again (discord/cacheless.ts):
 * - 'recent': one on its way or answered less than GUILD_READ_SHARED_MS ago (match work);
 * - 'in-flight': only one on its way, i.e. a picture at most one read's time old (slash commands);
 * - 'none': a read that starts now (the sweep's orphans, level roles' safety checks: decisions a
 *   picture from before a change would get wrong).
 */
export type GuildReadSharing = 'recent' | 'in-flight' | 'none';

/**
 * Everything the worker built at start. Commands, jobs and listeners each take only the part they use
 * (a Pick of this), so a reader sees a command's reach in its signature.
 */
export interface WorkerDeps {
  config: WorkerConfig;
  log: Logger;
  /** BullMQ worker connection (commands wait through reconnects). */
  redis: RedisClient;
  client: Client<true>;
  links: PlayerLinkStore;
  guilds: GuildStore;
  /** Match cards: each guild's card channel and the cards posted. */
  cards: CardStore;
  /** Level roles and nicknames per guild (/setup levels, /setup nicknames). */
  levels: LevelSettingsStore;
  matches: MatchStore;
  faceit: FaceitDataApi;
  /** FACEIT OAuth (authorize URL for /link, code exchange for linkAccount), built once. */
  oauth: FaceitOAuthClient;
  queues: BridgeQueues;
  metrics: Metrics;
  /**
   * Announces (after the commit) that these guilds' team channels or rosters changed, or that links did, so
   * the copies holding their shards read who plays where again (gateway/live-members.ts). Never throws.
   */
  liveChanged: (guildIds: readonly string[] | 'links') => void;
  /**
   * The guild as REST and the Redis voice mirror describe it, whichever copy holds its shard (the client has no
   * gateway cache; set once the gateway is wired). Unset only in tests that give the client a cache by hand.
   */
  guildView?: (guildId: string, sharing?: GuildReadSharing) => Promise<Guild | null>;
}

/** What a feature (matches, links, guilds) started and must stop on shutdown. */
export interface FeatureHandle {
  name: string;
  /** Stop taking new work and wait for in-flight work. */
  close(): Promise<void>;
}
