/** Slash commands as a user runs them: through the Discord emulator, answered by the worker. */
import type {
  DiscordEmulator,
  InteractionMessage,
  InteractionRecord,
  OptionValue,
} from '@bridge/sandbox/discord/index';

export interface CommandRun {
  /** The Discord user who runs it. */
  user: string;
  name: string;
  subcommand?: string;
  options?: Record<string, OptionValue>;
  /** The server it is run in; default the stack's own. */
  guildId?: string;
  /** How long to wait for the answer (default 60 s: the machine is shared and loaded). */
  timeoutMs?: number;
}

export interface CommandAnswer {
  /** The answer's text. */
  content: string;
  ephemeral: boolean;
  /** The whole answer (components, embeds). */
  reply: InteractionMessage;
  /** The interaction: its callbacks, and which gateway sessions it was sent to. */
  record: InteractionRecord;
}

/** Runs `/name [subcommand]` with `options` as `user` and waits until the bot has answered it. */
export async function runCommand(
  stack: { discord: DiscordEmulator; guildId: string },
  run: CommandRun,
): Promise<CommandAnswer> {
  const record = await stack.discord.invokeCommand({
    guildId: run.guildId ?? stack.guildId,
    userId: run.user,
    name: run.name,
    ...(run.subcommand ? { subcommand: run.subcommand } : {}),
    ...(run.options ? { options: run.options } : {}),
  });
  const reply = await record.waitForReply(run.timeoutMs ?? 60_000);
  return { content: reply.content, ephemeral: reply.ephemeral, reply, record };
}
