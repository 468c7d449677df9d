/** Interaction callbacks and the interaction webhook (follow-ups, @original). No auth, no global limit. */
import type { MessageInput } from '../messages.ts';
import type { RouteCtx, RouteDef } from '../router.ts';
import { messageJson } from '../serialize.ts';
import { objectBody } from './util.ts';

function callback(ctx: RouteCtx) {
  const e = ctx.interactions.callback(
    ctx.params.interaction ?? '',
    ctx.params.token ?? '',
    objectBody(ctx.body),
  );
  if (ctx.query.get('with_response') !== 'true') return { status: 204 };
  const original = e.originalRec;
  const response = e.responses[0];
  // The resource carries the message only for CHANNEL_MESSAGE_WITH_SOURCE (4) and UPDATE_MESSAGE (7)
  // (receiving-and-responding.mdx, Interaction Callback Resource Object); the spec has no resource for a defer.
  const withMessage = original !== null && (response?.type === 4 || response?.type === 7);
  return {
    status: 200,
    body: {
      interaction: {
        id: e.id,
        type: 2,
        activity_instance_id: null,
        ...(original ? { response_message_id: original.id } : {}),
        response_message_loading: response?.type === 5,
        response_message_ephemeral: response?.ephemeral ?? false,
      },
      ...(withMessage
        ? { resource: { type: response.type, message: messageJson(ctx.store, original) } }
        : {}),
    },
  };
}

function hook(ctx: RouteCtx) {
  return ctx.interactions.byWebhook(ctx.params.app ?? '', ctx.params.token ?? '');
}

const noAuth = { auth: false, globalLimit: false } as const;

export const interactionRoutes: RouteDef[] = [
  { method: 'POST', path: '/interactions/:interaction/:token/callback', ...noAuth, handler: callback },
  {
    method: 'POST',
    path: '/webhooks/:app/:token',
    ...noAuth,
    handler: (ctx) => {
      const m = ctx.interactions.followUp(hook(ctx), objectBody(ctx.body) as MessageInput);
      return ctx.query.get('wait') === 'true'
        ? { status: 200, body: messageJson(ctx.store, m) }
        : { status: 204 };
    },
  },
  {
    method: 'GET',
    path: '/webhooks/:app/:token/messages/:message',
    ...noAuth,
    handler: (ctx) => ({
      status: 200,
      body: messageJson(ctx.store, ctx.interactions.message(hook(ctx), ctx.params.message ?? '')),
    }),
  },
  {
    method: 'PATCH',
    path: '/webhooks/:app/:token/messages/:message',
    ...noAuth,
    handler: (ctx) => {
      const m = ctx.interactions.editMessage(
        hook(ctx),
        ctx.params.message ?? '',
        objectBody(ctx.body) as MessageInput,
      );
      return { status: 200, body: messageJson(ctx.store, m) };
    },
  },
  {
    method: 'DELETE',
    path: '/webhooks/:app/:token/messages/:message',
    ...noAuth,
    handler: (ctx) => {
      ctx.interactions.deleteMessage(hook(ctx), ctx.params.message ?? '');
      return { status: 204 };
    },
  },
];
