import { type ChatInputCommandInteraction, Events, type Interaction, MessageFlags } from 'discord.js';
import type { SlashCommand } from '../commands/types.ts';
import type { WorkerDeps } from '../deps.ts';

/**
 * Routes slash commands to their handlers. Every worker copy holds a gateway session and may receive
 * the same interaction; a Redis SET NX on the interaction id picks exactly one copy to answer it.
 */
export function routeInteractions(deps: WorkerDeps, commands: SlashCommand[]): void {
  const byName = new Map(commands.map((c) => [c.data.name, c]));
  const prefix = deps.config.QUEUE_PREFIX;

  deps.client.on(Events.InteractionCreate, (interaction) => {
    // Nothing here may reject unhandled: the listener's promise is not awaited by discord.js.
    handle(interaction).catch((err: unknown) =>
      deps.log.error({ err, interactionId: interaction.id }, 'interaction handling failed'),
    );
  });

  const handle = async (interaction: Interaction) => {
    if (!interaction.isChatInputCommand()) return;
    const claimed = await deps.redis
      .set(`${prefix}:interaction:${interaction.id}`, String(process.pid), 'EX', 900, 'NX')
      .catch((err: Error) => {
        deps.log.error({ err: err.message }, 'cannot claim interaction');
        return null;
      });
    if (claimed !== 'OK') return;
    const log = deps.log.child({
      interactionId: interaction.id,
      command: interaction.commandName,
      userId: interaction.user.id,
    });
    const command = byName.get(interaction.commandName);
    if (!command) {
      log.warn('unknown command');
      await interaction.reply({ content: 'This command is not available.', flags: MessageFlags.Ephemeral });
      return;
    }
    try {
      await command.execute(interaction, { ...deps, log });
      log.info('command handled');
    } catch (err) {
      log.error({ err }, 'command failed');
      await replyError(interaction).catch(() => {});
    }
  };
}

async function replyError(interaction: ChatInputCommandInteraction): Promise<void> {
  const content = 'Something went wrong on our side. Please try again in a minute.';
  if (interaction.deferred || interaction.replied) await interaction.editReply({ content });
  else await interaction.reply({ content, flags: MessageFlags.Ephemeral });
}
