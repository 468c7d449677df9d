/** DM channels and messages the bot sends (DMs and guild channels). */
import { checkButtons, checkEmbeds } from '../embeds.ts';
import { ApiError, Errors } from '../errors.ts';
import { hasVisibleContent, type MessageInput, toMessageRec } from '../messages.ts';
import { has, Permission } from '../permissions.ts';
import type { RouteCtx, RouteDef } from '../router.ts';
import { channelJson, messageJson } from '../serialize.ts';
import { ChannelType } from '../types.ts';
import { visibleChannel } from './channels.ts';
import { limitParam, objectBody, snowflakeField } from './util.ts';

function createDm(ctx: RouteCtx) {
  const body = objectBody(ctx.body);
  const recipient = snowflakeField(body, 'recipient_id');
  if (!recipient) throw Errors.required('recipient_id');
  return { status: 200, body: channelJson(ctx.store, ctx.store.openDm(recipient)) };
}

function sendMessage(ctx: RouteCtx) {
  const { store } = ctx;
  const { c, perms, g } = visibleChannel(ctx);
  const input = objectBody(ctx.body) as MessageInput;
  if (c.type === ChannelType.DM) {
    const user = store.user(c.recipientId ?? '');
    if (user.dmsClosed || !store.sharesGuild(user.id)) throw Errors.cannotDm();
  } else if (g) {
    if (c.type === ChannelType.GuildCategory) throw Errors.wrongChannelType();
    if (!has(perms, Permission.SendMessages)) throw Errors.missingPermissions();
    checkEmbedPermission(input, perms);
  }
  checkEmbeds(input.embeds);
  checkButtons(input.components);
  if (!hasVisibleContent(input)) throw Errors.emptyMessage();
  const m = toMessageRec(c.id, store.bot.id, input);
  ctx.messages.add(m, c.type === ChannelType.DM ? c.recipientId : null);
  return { status: 200, body: messageJson(store, m) };
}

/**
 * Rich embeds from a bot need Embed Links in the channel. The stricter reading of reports that a bot
 * without it gets 50013 (rather than its embeds dropped): the request is refused.
 */
function checkEmbedPermission(input: MessageInput, perms: bigint): void {
  if (Array.isArray(input.embeds) && input.embeds.length > 0 && !has(perms, Permission.EmbedLinks)) {
    throw Errors.missingPermissions();
  }
}

/** PATCH: the bot's own message only (50005); the fields given replace the old ones. */
function editMessage(ctx: RouteCtx) {
  const { c, perms, g } = visibleChannel(ctx);
  const m = ctx.messages.find(c.id, ctx.params.message ?? '');
  if (!m) throw Errors.unknownMessage();
  if (m.authorId !== ctx.store.bot.id) {
    throw new ApiError(403, 50005, 'Cannot edit a message authored by another user');
  }
  const input = objectBody(ctx.body) as MessageInput;
  if (g) checkEmbedPermission(input, perms);
  checkEmbeds(input.embeds);
  checkButtons(input.components);
  const after: MessageInput = {
    content: input.content === undefined ? m.content : input.content,
    components: input.components === undefined ? m.components : input.components,
    embeds: input.embeds === undefined ? m.embeds : input.embeds,
  };
  if (!hasVisibleContent(after)) throw Errors.emptyMessage();
  return { status: 200, body: messageJson(ctx.store, ctx.messages.edit(m, input)) };
}

export const messageRoutes: RouteDef[] = [
  { method: 'POST', path: '/users/@me/channels', handler: createDm },
  { method: 'POST', path: '/channels/:channel/messages', handler: sendMessage },
  {
    method: 'GET',
    path: '/channels/:channel/messages',
    handler: (ctx) => {
      const { c } = visibleChannel(ctx);
      const limit = limitParam(ctx.query, 100, 50);
      const list = ctx.messages.channel(c.id).reverse().slice(0, limit);
      return { status: 200, body: list.map((m) => messageJson(ctx.store, m)) };
    },
  },
  { method: 'PATCH', path: '/channels/:channel/messages/:message', handler: editMessage },
  {
    method: 'GET',
    path: '/channels/:channel/messages/:message',
    handler: (ctx) => {
      const { c } = visibleChannel(ctx);
      const m = ctx.messages.find(c.id, ctx.params.message ?? '');
      if (!m) throw Errors.unknownMessage();
      return { status: 200, body: messageJson(ctx.store, m) };
    },
  },
];
