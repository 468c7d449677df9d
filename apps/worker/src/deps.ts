import type {
  FaceitDataApi,
  Logger,
  Metrics,
  PlayerLinkStore,
  RedisClient,
  SupabaseClient,
  WorkerConfig,
} from '@bridge/core';
import type { Queue, Worker } from 'bullmq';
import type { Client } from 'discord.js';

/** Everything handlers, commands and gateway listeners get passed in. */
export interface WorkerDeps {
  config: WorkerConfig;
  log: Logger;
  /** BullMQ worker connection (commands wait through reconnects). */
  redis: RedisClient;
  client: Client<true>;
  db: SupabaseClient;
  links: PlayerLinkStore;
  faceit: FaceitDataApi;
  queues: { matches: Queue; links: Queue; maintenance: Queue };
  metrics: Metrics;
}

/** What a feature (matches, links, …) started and must stop on shutdown. */
export interface FeatureHandle {
  name: string;
  /** Its BullMQ workers, so app.ts can instrument them the same way. */
  workers?: Worker[];
  /** Stop taking new work and wait for in-flight work. */
  close(): Promise<void>;
}
