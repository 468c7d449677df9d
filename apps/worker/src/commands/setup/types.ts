import type { ChatInputCommandInteraction, Guild } from 'discord.js';
import type { WorkerDeps } from '../../deps.ts';

/** What /setup uses of the worker. */
export type SetupDeps = Pick<WorkerDeps, 'log' | 'guilds' | 'cards' | 'levels'>;

/** What a /setup subcommand handler gets: the deferred interaction, its guild, the deps. */
export type SetupHandler = (
  interaction: ChatInputCommandInteraction,
  guild: Guild,
  deps: SetupDeps,
) => Promise<string>;
