import { randomUUID } from 'node:crypto';
import {
  CardStore,
  faceitOAuthFromConfig,
  GuildStore,
  LevelSettingsStore,
  type Logger,
  shardOfGuild,
  type WorkerConfig,
} from '@bridge/core';
import type { Worker } from 'bullmq';
import type { Client } from 'discord.js';
import { commands } from '../commands/index.ts';
import { startConsumers } from '../consumers/index.ts';
import type { FeatureHandle, WorkerDeps } from '../deps.ts';
import { startGuildFeature } from '../events/guild-create-delete.ts';
import { startCommandFeature } from '../features/commands.ts';
import { startLinkFeature } from '../features/links.ts';
import { startMatchFeature } from '../features/matches.ts';
import { AnnouncingLinks } from '../gateway/announcing-links.ts';
import { announceLiveChange } from '../gateway/live-members.ts';
import { type ShardedGateway, shardedGateway } from '../gateway/sharded.ts';
import { instrumentWorker } from '../lib/instrument.ts';
import type { Services } from './services.ts';

/** Phase 3's product: every feature started, the consumers taking jobs, the gateway not yet connected. */
export interface Wired {
  deps: WorkerDeps;
  gateway: ShardedGateway;
  features: FeatureHandle[];
  consumers: Worker[];
}

/** What every feature and job reads (WorkerDeps), from the services and the logged-in REST client. */
function workerDeps(config: WorkerConfig, log: Logger, services: Services, client: Client<true>): WorkerDeps {
  const { redis, db } = services;
  const liveChanged: WorkerDeps['liveChanged'] = (guildIds) => {
    void announceLiveChange(redis, config.QUEUE_PREFIX, guildIds).catch((err: Error) =>
      log.warn({ err: err.message }, 'live members change not announced; the next reload reads it'),
    );
  };
  return {
    config,
    log,
    redis,
    client,
    links: new AnnouncingLinks(db, (guildId) => liveChanged(guildId ? [guildId] : 'links')),
    guilds: new GuildStore(db),
    cards: new CardStore(db),
    levels: new LevelSettingsStore(db),
    matches: services.matches,
    faceit: services.faceit,
    oauth: faceitOAuthFromConfig(config),
    queues: services.queues,
    metrics: services.metrics,
    liveChanged,
  };
}

/**
 * Phase 3 of a worker's start: the features (guilds, commands, matches, links) and the queues' consumers,
 * and the gateway's events pointed at the features. No shard connects here (phase 4), so no event can reach
 * a feature that is not listening yet.
 */
export async function startFeatures(
  config: WorkerConfig,
  log: Logger,
  services: Services,
  client: Client<true>,
): Promise<Wired> {
  const deps = workerDeps(config, log, services, client);
  const copyId = `copy-${randomUUID().slice(0, 8)}`;
  const commandFeature = startCommandFeature(deps, commands, { copyId });
  const gateway = await shardedGateway(deps);
  deps.guildView = gateway.guildView;
  // Follows guilds joining and leaving, seeds DISCORD_GUILD_ID's settings.
  const guildFeature = await startGuildFeature(deps);
  const matchFeature = await startMatchFeature(deps, (guildId) =>
    gateway.owner.held().includes(shardOfGuild(guildId, gateway.shardCount)),
  );
  const linkFeature = startLinkFeature(deps);
  const consumers = startConsumers(
    {
      connection: services.redis,
      prefix: config.QUEUE_PREFIX,
      log,
      metrics: services.metrics,
      concurrency: config.WORKER_CONCURRENCY,
    },
    { ...matchFeature.handlers, ...linkFeature.handlers },
  );
  for (const consumer of consumers) instrumentWorker(services.metrics, consumer);
  await Promise.all(consumers.map((c) => c.waitUntilReady()));
  Object.assign(gateway.listeners, {
    ready: (shard: number, guildIds: readonly string[]) => {
      guildFeature.shardUp(guildIds);
      commandFeature.shardReady(shard, gateway.shardCount, guildIds);
    },
    voiceConnect: matchFeature.voiceConnect,
    joined: guildFeature.joined,
    removed: guildFeature.removed,
  } satisfies ShardedGateway['listeners']);
  return { deps, gateway, features: [guildFeature, commandFeature, matchFeature, linkFeature], consumers };
}
