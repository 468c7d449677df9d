/** Gateway discovery, the bot user, the application, and the bot leaving a guild. */

import { ownerJson } from '../application-owner.ts';
import { Errors } from '../errors.ts';
import type { RouteDef } from '../router.ts';
import { userJson } from '../serialize.ts';

export const metaRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/gateway',
    auth: false,
    handler: (ctx) => ({ status: 200, body: { url: ctx.gatewayUrl } }),
  },
  {
    method: 'GET',
    path: '/gateway/bot',
    handler: (ctx) => ({
      status: 200,
      body: {
        url: ctx.gatewayUrl,
        shards: ctx.recommendedShards(),
        session_start_limit: ctx.sessionStartLimit(),
      },
    }),
  },
  {
    method: 'GET',
    path: '/users/@me',
    handler: (ctx) => ({
      status: 200,
      body: { ...userJson(ctx.store.bot), verified: true, mfa_enabled: false, locale: 'en-US' },
    }),
  },
  {
    method: 'GET',
    path: '/users/:user',
    handler: (ctx) => ({ status: 200, body: userJson(ctx.store.user(ctx.params.user ?? '')) }),
  },
  {
    method: 'GET',
    path: '/applications/@me',
    handler: (ctx) => ({
      status: 200,
      body: {
        id: ctx.store.applicationId,
        name: ctx.store.bot.username,
        icon: null,
        description: '',
        type: null,
        bot_public: false,
        bot_require_code_grant: false,
        // No privileged intent enabled; `flags_new` is the same bitfield as a string (changelog 2026-05-07).
        flags: 0,
        flags_new: '0',
        bot: userJson(ctx.store.bot),
        ...ownerJson(ctx.store.owner, ctx.store.users),
        verify_key: '0'.repeat(64),
        redirect_uris: [],
        interactions_endpoint_url: null,
        role_connections_verification_url: null,
        explicit_content_filter: 0,
        eligible_oauth2_scopes: [],
        approximate_guild_count: ctx.store.guilds.size,
        approximate_user_install_count: 0,
        approximate_user_authorization_count: 0,
      },
    }),
  },
  {
    // Leave Guild: the bot leaves as if removed (GUILD_DELETE without `unavailable`); a guild it is not in
    // is 10004 Unknown Guild.
    method: 'DELETE',
    path: '/users/@me/guilds/:guild',
    handler: (ctx) => {
      const g = ctx.store.guilds.get(ctx.params.guild ?? '');
      if (!g?.members.has(ctx.store.bot.id)) throw Errors.unknownGuild();
      ctx.store.removeBot(g.id);
      return { status: 204 };
    },
  },
];
