// Data API v4 routes: GET /data/v4/matches/{id}, GET /data/v4/players?nickname=, GET /data/v4/players/{id},
// GET /data/v4/hubs/{id}, GET /data/v4/championships/{id}.
import type { ServerResponse } from 'node:http';
import { dataMatch, dataPlayer } from './data-shapes.ts';
import { bearerToken, dataError, sendJson } from './http.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { Route } from './router.ts';
import type { FaceitState } from './state.ts';

export interface DataApiDeps {
  state: FaceitState;
  limiter: RateLimiter;
  apiKey: () => string;
  onRateLimited: () => void;
}

const NOT_FOUND = dataError(404, 'err_nf0', 'The resource was not found.');

export function dataApiRoutes(deps: DataApiDeps): Route[] {
  /** Rate limit (per presented key) then authenticate; returns headers to send, or undefined once answered. */
  const gate = (auth: string | undefined, res: ServerResponse): Record<string, string> | undefined => {
    const decision = deps.limiter.hit(auth ?? 'anonymous');
    if (!decision.allowed) {
      deps.onRateLimited();
      sendJson(res, 429, dataError(429, 'err_too_many_requests', 'Too many requests'), {
        ...decision.headers,
        'retry-after': String(decision.retryAfter),
      });
      return undefined;
    }
    if (auth !== deps.apiKey()) {
      sendJson(res, 401, dataError(401, 'err_unauthorized', 'Invalid or missing API key'), decision.headers);
      return undefined;
    }
    return decision.headers;
  };

  const friendsOf = (id: string): string[] => [...deps.state.players.keys()].filter((other) => other !== id);

  return [
    {
      name: 'data.match',
      method: 'GET',
      family: 'data',
      path: '/data/v4/matches/:match',
      handle(req, res, { params }) {
        const headers = gate(bearerToken(req), res);
        if (!headers) return;
        const match = deps.state.matches.get(params.match ?? '');
        // A hidden match answers exactly like one that does not exist.
        if (!match || !deps.state.isVisible(match)) return sendJson(res, 404, NOT_FOUND, headers);
        sendJson(res, 200, dataMatch(match, deps.state.players), headers);
      },
    },
    {
      name: 'data.players',
      method: 'GET',
      family: 'data',
      path: '/data/v4/players',
      handle(req, res, { url }) {
        const headers = gate(bearerToken(req), res);
        if (!headers) return;
        const nickname = url.searchParams.get('nickname');
        if (!nickname) {
          return sendJson(res, 400, dataError(400, 'err_bad_request', 'nickname is required'), headers);
        }
        const player = deps.state.playerByNickname(nickname);
        if (!player) return sendJson(res, 404, NOT_FOUND, headers);
        sendJson(res, 200, dataPlayer(player, friendsOf(player.id)), headers);
      },
    },
    {
      name: 'data.player',
      method: 'GET',
      family: 'data',
      path: '/data/v4/players/:player',
      handle(req, res, { params }) {
        const headers = gate(bearerToken(req), res);
        if (!headers) return;
        const player = deps.state.players.get(params.player ?? '');
        if (!player) return sendJson(res, 404, NOT_FOUND, headers);
        sendJson(res, 200, dataPlayer(player, friendsOf(player.id)), headers);
      },
    },
    // A competition as far as the emulator knows one: from its seeded matches (id, name, organizer). The real
    // answers carry more (game, region, rules, join settings …); docs/faceit.md, "Data API".
    ...(['hub', 'championship'] as const).map(
      (type): Route => ({
        name: `data.${type}`,
        method: 'GET',
        family: 'data',
        path: `/data/v4/${type === 'hub' ? 'hubs' : 'championships'}/:id`,
        handle(req, res, { params }) {
          const headers = gate(bearerToken(req), res);
          if (!headers) return;
          const match = [...deps.state.matches.values()].find(
            (m) => m.competitionType === type && m.competitionId === params.id,
          );
          if (!match) return sendJson(res, 404, NOT_FOUND, headers);
          sendJson(
            res,
            200,
            {
              [`${type}_id`]: match.competitionId,
              name: match.competitionName,
              organizer_id: match.organizerId,
              game_id: 'cs2',
            },
            headers,
          );
        },
      }),
    ),
  ];
}
