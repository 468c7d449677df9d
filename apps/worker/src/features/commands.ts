import type { SlashCommand } from '../commands/types.ts';
import type { FeatureHandle, WorkerDeps } from '../deps.ts';
import { routeInteractions } from '../events/interaction-create.ts';
import { applicationId, keepGlobalCommands } from '../gateway/global-commands.ts';
import { clearOldGuildCommands } from '../gateway/old-guild-commands.ts';

/**
 * Slash commands: routed to their handlers; registered globally once per deployment (in the background:
 * start-up never waits for it); and, once, the per-server commands of earlier versions removed (`guildIds`
 * lists the servers whose events this copy receives, or null when it cannot tell which).
 */
export function startCommandFeature(
  deps: WorkerDeps,
  commands: SlashCommand[],
  opts: { copyId: string; guildIds: (() => readonly string[]) | null },
): FeatureHandle {
  routeInteractions(deps, commands);
  const stopping = new AbortController();
  const { client, redis, config, log } = deps;
  const appId = applicationId(client.rest);
  const base = { rest: client.rest, redis, prefix: config.QUEUE_PREFIX, appId, copyId: opts.copyId, log };
  const tasks = [
    keepGlobalCommands({ ...base, definitions: commands.map((c) => c.data), signal: stopping.signal }),
  ];
  const guildIds = opts.guildIds;
  if (guildIds) {
    tasks.push(
      clearOldGuildCommands({ ...base, shard: 0, shardCount: 1, guildIds, signal: stopping.signal }).then(
        () => {},
        (err: Error) => {
          if (!stopping.signal.aborted)
            log.warn({ err: err.message }, 'old per-server commands not removed; the next start goes on');
        },
      ),
    );
  }
  return {
    name: 'commands',
    close: async () => {
      stopping.abort(new Error('shutting down'));
      await Promise.all(tasks);
    },
  };
}
