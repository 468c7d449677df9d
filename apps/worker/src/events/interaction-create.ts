import { type ChatInputCommandInteraction, Events, type Interaction, MessageFlags } from 'discord.js';
import { admitGuild, NOT_SERVED } from '../access/served-guilds.ts';
import type { SlashCommand } from '../commands/types.ts';
import type { WorkerDeps } from '../deps.ts';
import { cacheGuild } from '../discord/cacheless.ts';
import { discordCode } from '../discord/errors.ts';

/**
 * Routes slash commands to their handlers. Discord delivers each interaction to every worker copy's
 * gateway session and accepts only the first acknowledgement (the others get 40060), so the ephemeral
 * defer is both the claim and the first thing done: no database or Redis call stands between an
 * interaction and Discord's 3 seconds. Handlers answer with editReply. Nothing here can reject unhandled.
 */
export function routeInteractions(deps: WorkerDeps, commands: SlashCommand[]): void {
  const byName = new Map(commands.map((c) => [c.data.name, c]));
  deps.client.on(Events.InteractionCreate, (interaction) => {
    void handle(deps, byName, interaction).catch((err: unknown) =>
      deps.log.error({ err, interactionId: interaction.id }, 'interaction handling failed'),
    );
  });
}

async function handle(
  deps: WorkerDeps,
  byName: ReadonlyMap<string, SlashCommand>,
  interaction: Interaction,
): Promise<void> {
  if (!interaction.isChatInputCommand()) return;
  const log = deps.log.child({
    interactionId: interaction.id,
    command: interaction.commandName,
    userId: interaction.user.id,
  });
  try {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  } catch (err) {
    const code = discordCode(err);
    // Another copy acknowledged first: it answers. (Discord sometimes reports that as 10062.)
    if (code === 40060) return log.debug('interaction acknowledged by another worker copy');
    if (code === 10062) {
      return log.warn(
        'interaction unknown when deferring: another copy took it, or it arrived after Discord’s 3 s',
      );
    }
    throw err;
  }
  if (interaction.guildId && !admitGuild(deps, { id: interaction.guildId })) {
    log.info({ guildId: interaction.guildId }, 'command refused: server not served');
    await interaction.editReply({ content: NOT_SERVED });
    return;
  }
  const command = byName.get(interaction.commandName);
  if (!command) {
    log.warn('unknown command');
    await interaction.editReply({ content: 'This command is not available.' });
    return;
  }
  try {
    // Without a gateway cache (shard leases) `interaction.guild` is read over REST, after the defer, for the
    // handlers that read it.
    if (deps.guildView && interaction.guildId && command.readsGuild) {
      await cacheGuild(deps.client, interaction.guildId);
    }
    await command.execute(interaction, { ...deps, log });
    log.info('command handled');
  } catch (err) {
    log.error({ err }, 'command failed');
    await replyError(interaction).catch(() => {});
  }
}

async function replyError(interaction: ChatInputCommandInteraction): Promise<void> {
  await interaction.editReply({ content: 'Something went wrong on our side. Please try again in a minute.' });
}
