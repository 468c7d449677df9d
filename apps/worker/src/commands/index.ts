import type { SlashCommand } from './types.ts';

/** Every slash command the worker registers in the guild; one file per command. */
export const commands: SlashCommand[] = [];
