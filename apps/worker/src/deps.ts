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

import type { Client } from 'discord.js';

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
}

/** What a feature (matches, links, guilds) started and must stop on shutdown. */
export interface FeatureHandle {
  name: string;
  /** Stop taking new work and wait for in-flight work. */
  close(): Promise<void>;
}
