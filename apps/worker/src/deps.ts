import type { FaceitDataApi, Logger, PlayerLinkStore, SupabaseClient, WorkerConfig } from '@bridge/core';
import type { Queue } from 'bullmq';
import type { Client } from 'discord.js';
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
}

/** What a feature (matches, links, …) started and must stop on shutdown. */
export interface FeatureHandle {
  name: string;
  /** Stop taking new work and wait for in-flight work. */
  close(): Promise<void>;
}
