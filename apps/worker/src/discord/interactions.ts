import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type ChatInputCommandInteraction, Events, MessageFlags } from 'discord.js';
import type { SlashCommand } from '../commands/types.ts';
import type { WorkerDeps } from '../deps.ts';
import { claimInteraction } from './interaction-claim.ts';

/**
 * Routes slash commands to their handlers. Every worker copy holds a gateway session and may receive
 * the same interaction; a Redis lease on the interaction id picks exactly one copy to answer it, and
 * another copy takes over when that one dies before answering (interaction-claim.ts).
 */
export function routeInteractions(deps: WorkerDeps, commands: SlashCommand[]): void {
  const byName = new Map(commands.map((c) => [c.data.name, c]));
  const prefix = deps.config.QUEUE_PREFIX;
  const holder = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;

  deps.client.on(Events.InteractionCreate, async (interaction) => {
    if (!interaction.isChatInputCommand()) return;
    // The answer window: Discord takes a first answer up to 3 s after the interaction was created.
    const claim = await claimInteraction(
      deps.redis,
      `${prefix}:interaction:${interaction.id}`,
      holder,
      interaction.createdTimestamp + 3000,
      () => interaction.deferred || interaction.replied,
    ).catch((err: Error) => {
      deps.log.error({ err: err.message }, 'cannot claim interaction');
      return null;
    });
    if (!claim) return;
    const log = deps.log.child({
      interactionId: interaction.id,
      command: interaction.commandName,
      userId: interaction.user.id,
    });
    const command = byName.get(interaction.commandName);
    try {
      if (!command) {
        log.warn('unknown command');
        await interaction.reply({ content: 'This command is not available.', flags: MessageFlags.Ephemeral });
        return;
      }
      await command.execute(interaction, { ...deps, log });
      log.info('command handled');
    } catch (err) {
      log.error({ err }, 'command failed');
      await replyError(interaction).catch(() => {});
    } finally {
      await claim.done().catch(() => {});
    }
  });
}

async function replyError(interaction: ChatInputCommandInteraction): Promise<void> {
  const content = 'Something went wrong on our side. Please try again in a minute.';
  if (interaction.deferred || interaction.replied) await interaction.editReply({ content });
  else await interaction.reply({ content, flags: MessageFlags.Ephemeral });
}
