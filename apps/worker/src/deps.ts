import type {
  FaceitDataApi,
  Logger,
  Metrics,
  PlayerLinkStore,
  SupabaseClient,
  WorkerConfig,
} from '@bridge/core';
import type { Queue, Worker } from 'bullmq';
import type { Client, Guild } from 'discord.js';
import type { Redis } from 'ioredis';

/** Everything handlers, commands and gateway listeners get passed in. */
export interface WorkerDeps {
  config: WorkerConfig;
  log: Logger;
  /** BullMQ worker connection (commands wait through reconnects). */
  redis: Redis;
  client: Client<true>;
  db: SupabaseClient;
  links: PlayerLinkStore;
  faceit: FaceitDataApi;
  queues: { matches: Queue; links: Queue; maintenance: Queue };
  metrics: Metrics;
  /**
   * With DISCORD_SHARDING=leases: the guild as REST and the Redis voice mirror describe it (this copy's client
   * has no gateway cache). Unset: guilds come from the client's own gateway cache.
   */
  guildView?: (guildId: string) => Promise<Guild | null>;
}

/** What a feature (matches, links, …) started and must stop on shutdown. */
export interface FeatureHandle {
  name: string;
  /** Its BullMQ workers, so app.ts can instrument them the same way. */
  workers?: Worker[];
  /** Stop taking new work and wait for in-flight work. */
  close(): Promise<void>;
}
