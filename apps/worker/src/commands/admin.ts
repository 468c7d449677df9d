import { DEFAULT_LINK_POLICY, type GuildLink, linksInGuild, type ServerLinkRefusal } from '@bridge/core';
import {
  type ChatInputCommandInteraction,
  InteractionContextType,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type SlashCommandSubcommandBuilder,
} from 'discord.js';
import { isOperator } from '../access/operators.ts';
import type { WorkerDeps } from '../deps.ts';
import { levelsOnLink, levelsOnServerLink, levelsOnUnlink } from '../levels/apply.ts';
import { sendDm } from '../lib/dm.ts';
import type { SlashCommand } from './types.ts';

/** What this command uses of the worker. */
type CommandDeps = Pick<WorkerDeps, 'log' | 'links' | 'guilds' | 'faceit' | 'client' | 'levels' | 'config'>;

const REASON_MAX = 200;

const target = (s: SlashCommandSubcommandBuilder) =>
  s.addUserOption((o) => o.setName('user').setDescription('The member').setRequired(true));
const reason = (s: SlashCommandSubcommandBuilder) =>
  s.addStringOption((o) =>
    o
      .setName('reason')
      .setDescription('Why (the member is told; required with everywhere)')
      .setMaxLength(REASON_MAX),
  );
const everywhere = (s: SlashCommandSubcommandBuilder) =>
  s.addBooleanOption((o) =>
    o
      .setName('everywhere')
      .setDescription('Change their own link, in every server (operators of this bridge only)'),
  );

const REFUSED: Record<ServerLinkRefusal, (user: string, nickname: string) => string> = {
  'member-verified': (user) =>
    `${user} verified their link by signing in with FACEIT: only they (/unlink, /link) or an operator of this bridge can change it. Nothing was changed.`,
  'account-verified': (_user, nickname) =>
    `**${nickname}** is already linked to another Discord user who verified it by signing in with FACEIT: a server cannot give it to someone else. Nothing was changed.`,
  'account-taken-here': (_user, nickname) =>
    `**${nickname}** is already linked to another member in this server: run /admin unlink or /admin reset on them first. Nothing was changed.`,
};

/**
 * /admin link|unlink|reset: a server's staff say who is who *in their server* (a server link: it applies
 * there only, to their own members, and never over a link the member verified). The deployment's operators
 * may change anyone's own link everywhere (everywhere:True, with a reason the member is told).
 */
export const adminCommand: SlashCommand = {
  readsGuild: true,
  data: new SlashCommandBuilder()
    .setName('admin')
    .setDescription('Manage members’ FACEIT links in this server')
    // Hides the command from others in the client; the runtime check below is what enforces it.
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .setContexts(InteractionContextType.Guild)
    .addSubcommand((s) =>
      everywhere(
        reason(
          target(
            s.setName('link').setDescription('Link a member to a FACEIT nickname in this server'),
          ).addStringOption((o) =>
            o.setName('nickname').setDescription('Their FACEIT nickname').setRequired(true).setMaxLength(64),
          ),
        ),
      ),
    )
    .addSubcommand((s) =>
      everywhere(reason(target(s.setName('unlink').setDescription('Unlink a member in this server')))),
    )
    .addSubcommand((s) =>
      target(
        s
          .setName('reset')
          .setDescription('Forget what this server set for a member: their own link counts again'),
      ),
    )
    .toJSON(),
  async execute(interaction, deps: CommandDeps) {
    // default_member_permissions can be overridden per server; the permission is checked here again.
    if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) || !interaction.guildId) {
      deps.log.warn('admin command refused: no Manage Server');
      await interaction.editReply(
        'Only members with the Manage Server permission can use /admin. Nothing was changed.',
      );
      return;
    }
    const reply = (content: string) => interaction.editReply({ content, allowedMentions: { parse: [] } });
    if (interaction.options.getBoolean('everywhere') === true) {
      await reply(await everywhereChange(interaction, deps));
      return;
    }
    await reply(await serverChange(interaction, interaction.guildId, deps));
  },
};

/** A change in this server only, to one of its members. */
async function serverChange(
  interaction: ChatInputCommandInteraction,
  guildId: string,
  deps: CommandDeps,
): Promise<string> {
  const user = interaction.options.getUser('user', true);
  const mention = `<@${user.id}>`;
  // Discord resolves a USER option to a member only when the user is in this server.
  if (!interaction.options.getMember('user')) {
    return `${mention} is not a member of this server: /admin changes who is who in this server only. Nothing was changed.`;
  }
  const sub = interaction.options.getSubcommand();
  let account: { faceitId: string; nickname: string } | null = null;
  if (sub === 'link') {
    const nickname = interaction.options.getString('nickname', true).trim();
    const player = await deps.faceit.findPlayerByNickname(nickname);
    if (!player) return `There is no FACEIT player called **${nickname}**. Nothing was changed.`;
    account = { faceitId: player.player_id, nickname: player.nickname };
  }
  const before = await linksHere(deps, guildId, [user.id], account ? [account.faceitId] : []);
  const mine = before.find((l) => l.discordId === user.id);
  // Whoever was this account here, and the member themself: their roles and nickname here follow.
  const affected = new Map<string, string>([[user.id, mine?.nickname ?? '']]);
  const holder = account && before.find((l) => l.faceitId === account.faceitId && l.discordId !== user.id);
  if (holder) affected.set(holder.discordId, holder.nickname);

  if (sub === 'reset') {
    const removed = await deps.links.resetServerLink(guildId, user.id);
    deps.log.info({ guildId, target: user.id, removed: !!removed }, 'admin reset');
    if (!removed) return `This server had set nothing for ${mention}: their own link counts here.`;
    await levelsOnServerLink(deps, guildId, affected, deps.log);
    return `This server no longer sets ${mention}'s link: their own link (if any) counts here again.`;
  }
  const outcome = await deps.links.setServerLink(guildId, user.id, account, interaction.user.id);
  deps.log.info(
    { guildId, target: user.id, faceitId: account?.faceitId ?? null, outcome },
    sub === 'link' ? 'admin link' : 'admin unlink',
  );
  if (outcome !== 'set') return REFUSED[outcome](mention, account?.nickname ?? '');
  await levelsOnServerLink(deps, guildId, affected, deps.log);
  const server = interaction.guild?.name ?? 'a server';
  const why = reasonLine(interaction);
  if (account) {
    await sendDm(
      deps.client,
      deps.log,
      user.id,
      `An admin of **${server}** (@${interaction.user.username}) set that you are FACEIT account **${account.nickname}** in that server.${why} It applies there only; your own link (/whoami) is unchanged.`,
    );
    return `Linked ${mention} to FACEIT account **${account.nickname}** in this server (here only; a link they verify with /link always counts over it).`;
  }
  await sendDm(
    deps.client,
    deps.log,
    user.id,
    `An admin of **${server}** (@${interaction.user.username}) set that you are not linked to a FACEIT account in that server.${why} It applies there only; your own link (/whoami) is unchanged.`,
  );
  return mine
    ? `Unlinked ${mention} from FACEIT account **${mine.nickname}** in this server (here only).`
    : `${mention} had no FACEIT account linked in this server; it stays so (here only).`;
}

/** Who is who in this guild for these members and accounts, as the match jobs will see it. */
async function linksHere(
  deps: CommandDeps,
  guildId: string,
  discordIds: string[],
  faceitIds: string[],
): Promise<GuildLink[]> {
  const [rows, settings] = await Promise.all([
    deps.links.rows({ discordIds, faceitIds, guildId }),
    deps.guilds.get(guildId),
  ]);
  return linksInGuild({ guildId, policy: settings?.link_policy ?? DEFAULT_LINK_POLICY, ...rows });
}

function reasonLine(interaction: ChatInputCommandInteraction): string {
  const reason = interaction.options.getString('reason')?.trim();
  return reason ? ` Reason: ${reason}` : '';
}

/** An operator changes someone's own link, in every server; they and any previous holder are told. */
async function everywhereChange(
  interaction: ChatInputCommandInteraction,
  deps: CommandDeps,
): Promise<string> {
  const caller = interaction.user;
  if (!(await isOperator(deps, caller.id))) {
    deps.log.warn({ guildId: interaction.guildId }, 'admin everywhere refused: not an operator');
    return 'Only the operators of this bridge (the Discord application’s owner or team, or BRIDGE_OPERATOR_IDS) can change links everywhere. Nothing was changed.';
  }
  const reason = interaction.options.getString('reason')?.trim();
  if (!reason) {
    return 'everywhere:True needs a reason: the member is told who changed their link and why. Nothing was changed.';
  }
  const user = interaction.options.getUser('user', true);
  const mention = `<@${user.id}>`;
  const by = `An operator of this bridge (@${caller.username})`;
  if (interaction.options.getSubcommand() === 'unlink') {
    const removed = await deps.links.remove(user.id);
    deps.log.info({ target: user.id, operator: caller.id, removed: !!removed }, 'operator unlink');
    if (!removed) return `${mention} had no FACEIT account linked. Nothing was changed.`;
    await levelsOnUnlink(deps, user.id, removed.faceit_nickname, deps.log);
    await sendDm(
      deps.client,
      deps.log,
      user.id,
      `${by} removed your link to FACEIT account **${removed.faceit_nickname}**, in every server. Reason: ${reason}`,
    );
    return `${mention} is no longer linked to FACEIT account **${removed.faceit_nickname}**, in every server; they were told why.`;
  }
  const nickname = interaction.options.getString('nickname', true).trim();
  const player = await deps.faceit.findPlayerByNickname(nickname);
  if (!player) return `There is no FACEIT player called **${nickname}**. Nothing was changed.`;
  const previous = await deps.links.linkOperator(user.id, player.player_id, player.nickname);
  deps.log.info(
    { target: user.id, operator: caller.id, faceitId: player.player_id, movedFrom: previous },
    'operator link',
  );
  await levelsOnLink(
    deps,
    {
      discordUserId: user.id,
      faceitId: player.player_id,
      faceitNickname: player.nickname,
      previousDiscordUserId: previous,
    },
    deps.log,
  );
  await sendDm(
    deps.client,
    deps.log,
    user.id,
    `${by} linked your Discord account to FACEIT account **${player.nickname}**, in every server. Reason: ${reason}`,
  );
  if (previous) {
    await sendDm(
      deps.client,
      deps.log,
      previous,
      `${by} moved FACEIT account **${player.nickname}** away from your Discord account, in every server. Reason: ${reason}`,
    );
  }
  return `${mention} is now linked to FACEIT account **${player.nickname}**, in every server${previous ? ' (moved from the Discord user who had it; they were told)' : ''}; they were told why.`;
}
