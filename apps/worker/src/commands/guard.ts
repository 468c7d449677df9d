import {
  COMMAND_LIMITS,
  CommandLimits,
  FACEIT_BUSY_ANSWER,
  FaceitBusyError,
  limitAnswer,
} from '@bridge/core';
import type { SlashCommand } from './types.ts';

/**
 * What every slash command goes through before and around its handler. Its per-user limit (COMMAND_LIMITS,
 * shared by every worker copy through Redis) is taken first: over it, the person is told when to try again
 * and nothing runs. Its FACEIT requests use the rate limit's interactive lane, behind every match job's
 * request: when that lane's wait would be long the handler stops with FaceitBusyError, and the person is
 * told FACEIT is busy.
 */
export function guarded(command: SlashCommand): SlashCommand {
  const name = command.data.name;
  const windows = COMMAND_LIMITS[name];
  return {
    data: command.data,
    ...(command.readsGuild ? { readsGuild: true } : {}),
    async execute(interaction, deps) {
      if (windows) {
        const limits = new CommandLimits(deps.redis, deps.config.QUEUE_PREFIX);
        const taken = await limits.take(name, interaction.user.id, windows);
        if (!taken.ok) {
          deps.log.info({ retryMs: taken.retryMs }, 'command refused: over its per-user limit');
          await interaction.editReply(limitAnswer(name, taken.retryMs, windows));
          return;
        }
      }
      try {
        await command.execute(interaction, {
          ...deps,
          faceit: deps.faceit.interactive(deps.config.FACEIT_COMMAND_WAIT_MS),
        });
      } catch (err) {
        if (!(err instanceof FaceitBusyError)) throw err;
        deps.log.warn({ waitMs: err.waitMs }, 'command refused: FACEIT rate limit busy with matches');
        await interaction.editReply(FACEIT_BUSY_ANSWER);
      }
    },
  };
}
