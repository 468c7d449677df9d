import type {
  ChatInputCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { WorkerDeps } from '../deps.ts';

/** One slash command: its registration JSON (built with discord.js builders) and its handler. */
export interface SlashCommand {
  data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  /**
   * The handler reads `interaction.guild` (its name, roles, channels): the router reads the guild over REST
   * before it runs. The others cost no guild read (two requests on per-guild routes that match jobs share).
   */
  readsGuild?: true;
  /** Runs after the router's ephemeral defer: answer with editReply (or followUp), never reply. */
  execute(interaction: ChatInputCommandInteraction, deps: WorkerDeps): Promise<void>;
}
