import type { SlashCommand } from '../commands/types.ts';
import type { FeatureHandle, WorkerDeps } from '../deps.ts';
import { routeInteractions } from '../events/interaction-create.ts';
import { applicationId, keepGlobalCommands } from '../gateway/global-commands.ts';
import { clearOldGuildCommands } from '../gateway/old-guild-commands.ts';

/** The command feature's handle: also told when a gateway shard this copy holds is ready. */
export interface CommandFeature extends FeatureHandle {
  /**
   * A shard this copy holds identified with these guilds: once per deployment and shard, the per-server
   * commands of earlier versions are removed from them (in the background, paced).
   */
  shardReady(shard: number, shardCount: number, guildIds: readonly string[]): void;
}

/**
 * Slash commands: routed to their handlers; registered globally once per deployment (in the background:
 * start-up never waits for it); and the per-server commands of earlier versions removed, shard by shard.
 */
export function startCommandFeature(
  deps: WorkerDeps,
  commands: SlashCommand[],
  opts: { copyId: string },
): CommandFeature {
  routeInteractions(deps, commands);
  const stopping = new AbortController();
  const { client, redis, config, log } = deps;
  const appId = applicationId(client.rest);
  const base = { rest: client.rest, redis, prefix: config.QUEUE_PREFIX, appId, copyId: opts.copyId, log };
  const tasks = [
    keepGlobalCommands({ ...base, definitions: commands.map((c) => c.data), signal: stopping.signal }),
  ];
  return {
    name: 'commands',
    shardReady: (shard, shardCount, guildIds) => {
      if (stopping.signal.aborted) return;
      tasks.push(
        clearOldGuildCommands({
          ...base,
          shard,
          shardCount,
          guildIds: () => guildIds,
          signal: stopping.signal,
        }).then(
          () => {},
          (err: Error) => {
            if (!stopping.signal.aborted)
              log.warn(
                { err: err.message, shard },
                'old per-server commands not removed; the next start goes on',
              );
          },
        ),
      );
    },
    close: async () => {
      stopping.abort(new Error('shutting down'));
      await Promise.all(tasks);
    },
  };
}
