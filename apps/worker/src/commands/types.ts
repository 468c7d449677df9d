import type {
  ChatInputCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { WorkerDeps } from '../deps.ts';

/** One slash command: its registration JSON (built with discord.js builders) and its handler. */
export interface SlashCommand {
  data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  /** Runs after the router's ephemeral defer: answer with editReply (or followUp), never reply. */
  execute(interaction: ChatInputCommandInteraction, deps: WorkerDeps): Promise<void>;
}
