// JSON control API under /_sandbox/faceit, for driving the emulator from another process (the demo, curl).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { HttpError, readJson, sendJson } from './http.ts';

import type { FaceitEmulator, MatchStatus, WebhookEnvelope, WebhookEvent } from './types.ts';
import { ID_TOKEN_MODES, MATCH_STATUSES, WEBHOOK_EVENTS } from './types.ts';

export const CONTROL_PREFIX = '/_sandbox/faceit';

const faction = z.enum(['faction1', 'faction2']);
const status = z.enum(MATCH_STATUSES as readonly MatchStatus[] as [MatchStatus, ...MatchStatus[]]);
const event = z.enum(WEBHOOK_EVENTS as readonly WebhookEvent[] as [WebhookEvent, ...WebhookEvent[]]);
const target = z.object({
  url: z.url(),
  header: z.string().min(1).optional(),
  query: z.string().min(1).optional(),
  secret: z.string(),
  timeoutMs: z.number().int().positive().optional(),
});
const buildOptions = z.object({
  eventId: z.string().optional(),
  transactionId: z.string().optional(),
  retryCount: z.number().int().min(0).optional(),
  thirdPartyId: z.string().optional(),
  emptyRosters: z.boolean().optional(),
  omitTeams: z.boolean().optional(),
  reason: z.string().optional(),
  map: z.number().int().positive().optional(),
});
const envelope = z.looseObject({
  event,
  event_id: z.string(),
  transaction_id: z.string(),
  retry_count: z.number(),
});

const schemas = {
  player: z.object({
    id: z.string().optional(),
    nickname: z.string().min(1),
    avatar: z.string().optional(),
    country: z.string().optional(),
    email: z.string().optional(),
    steamId64: z
      .string()
      .regex(/^\d{17}$/)
      .optional(),
    gameName: z.string().optional(),
    skillLevel: z.number().int().min(1).max(10).optional(),
    elo: z.number().int().optional(),
    membership: z.string().optional(),
  }),
  match: z.object({
    id: z.string().optional(),
    faction1: z.array(z.string()),
    faction2: z.array(z.string()),
    status: status.optional(),
    game: z.string().optional(),
    region: z.string().optional(),
    competitionType: z.enum(['matchmaking', 'championship', 'hub']).optional(),
    competitionId: z.string().optional(),
    competitionName: z.string().optional(),
    organizerId: z.string().optional(),
    factionNames: z.tuple([z.string(), z.string()]).optional(),
    bestOf: z.number().int().positive().optional(),
    substitutes: z
      .object({
        faction1: z
          .array(z.object({ player: z.string().min(1), playing: z.boolean().optional() }))
          .optional(),
        faction2: z
          .array(z.object({ player: z.string().min(1), playing: z.boolean().optional() }))
          .optional(),
      })
      .optional(),
    bye: faction.optional(),
    scheduledAt: z.number().int().positive().optional(),
  }),
  visibility: z.object({ hiddenForMs: z.number().int().min(0) }),
  roster: z.object({ faction, players: z.array(z.string()) }),
  status: z.object({
    status,
    winner: faction.optional(),
    score: z
      .object({ faction1: z.number().int().optional(), faction2: z.number().int().optional() })
      .optional(),
    reason: z.string().optional(),
    eloChange: z.number().int().min(0).max(100).optional(),
    forfeit: z.boolean().optional(),
    afk: z.array(z.string()).optional(),
    players: z.array(z.string()).optional(),
  }),
  swap: z.object({ faction, out: z.string().min(1), in: z.string().min(1) }),
  map: z.object({
    winner: faction.optional(),
    score: z
      .object({ faction1: z.number().int().optional(), faction2: z.number().int().optional() })
      .optional(),
  }),
  timeline: z.object({ target, matchId: z.string(), until: z.string().optional() }),
  build: buildOptions.extend({ event }),
  deliver: z.union([
    z.object({ target, envelope }),
    z.object({ target, matchId: z.string(), event, options: buildOptions.optional() }),
  ]),
  redeliver: z.union([z.object({ target, envelope }), z.object({ target, eventId: z.string() })]),
  play: z.object({
    target,
    matchId: z.string(),
    events: z.array(event).min(1),
    duplicates: z.number().int().min(1).optional(),
    duplicateStyle: z.enum(['same', 'new-ids']).optional(),
    concurrent: z.boolean().optional(),
    applyStatus: z.boolean().optional(),
    order: z.array(z.number().int().min(0)).optional(),
    retries: z.number().int().min(0).optional(),
    buildOptions: buildOptions.omit({ eventId: true, transactionId: true, retryCount: true }).optional(),
  }),
  redirectUri: z.object({ uri: z.url() }),
  authorize: z.object({
    clientId: z.string().optional(),
    redirectUri: z.string(),
    state: z.string().optional(),
    codeChallenge: z.string(),
    codeChallengeMethod: z.string().default('S256'),
    scope: z.string().optional(),
    playerId: z.string().optional(),
    nickname: z.string().optional(),
    deny: z.boolean().optional(),
  }),
  fault: z.object({
    route: z.string().min(1),
    kind: z.enum(['status', 'ratelimit', 'hang']),
    status: z.number().int().min(100).max(599).optional(),
    retryAfter: z.number().int().min(0).optional(),
    times: z.number().int().positive().optional(),
    error: z.string().min(1).optional(),
    wwwAuthenticate: z.string().min(1).optional(),
    html: z.string().optional(),
  }),
  idToken: z.object({ mode: z.enum(ID_TOKEN_MODES) }),
  latency: z.object({ route: z.string().min(1), ms: z.number().min(0) }),
  clock: z.object({ advanceMs: z.number().min(0) }),
};

async function body<T extends z.ZodType>(req: IncomingMessage, schema: T): Promise<z.output<T>> {
  const parsed = schema.safeParse(await readJson(req));
  if (!parsed.success) throw new HttpError(400, z.prettifyError(parsed.error));
  return parsed.data;
}

export interface ControlExtras {
  faults(): unknown;
}

/** Answers a control request; `path` is the part after CONTROL_PREFIX. */
export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  emu: FaceitEmulator,
  extras: ControlExtras,
): Promise<void> {
  const method = req.method ?? 'GET';
  const route = `${method} ${path.replace(/^\/matches\/[^/]+/, '/matches/:id')}`;
  const matchId = decodeURIComponent(/^\/matches\/([^/]+)/.exec(path)?.[1] ?? '');
  const json = (status: number, value: unknown) => sendJson(res, status, value);
  const envelopeOf = (v: unknown) => v as WebhookEnvelope;

  switch (route) {
    case 'GET /config':
      return json(200, {
        url: emu.url,
        dataApiUrl: emu.dataApiUrl,
        authUrl: emu.authUrl,
        tokenUrl: emu.tokenUrl,
        userinfoUrl: emu.userinfoUrl,
        issuer: emu.issuer,
        discoveryUrl: emu.discoveryUrl,
        jwksUrl: emu.jwksUrl,
        apiKey: emu.apiKey,
        clientId: emu.clientId,
        clientSecret: emu.clientSecret,
        appId: emu.appId,
        redirectUris: emu.redirectUris(),
      });
    case 'GET /state':
      return json(200, { players: emu.players(), matches: emu.matches() });
    case 'GET /players':
      return json(200, emu.players());
    case 'POST /players':
      return json(201, emu.seedPlayer(await body(req, schemas.player)));
    case 'GET /matches':
      return json(200, emu.matches());
    case 'POST /matches':
      return json(201, emu.seedMatch(await body(req, schemas.match)));
    case 'GET /matches/:id':
      return json(200, emu.getMatch(matchId));
    case 'POST /matches/:id/roster': {
      const b = await body(req, schemas.roster);
      return json(200, emu.setRoster(matchId, b.faction, b.players));
    }
    case 'POST /matches/:id/visibility':
      return json(200, emu.hideMatch(matchId, (await body(req, schemas.visibility)).hiddenForMs));
    case 'POST /matches/:id/swap': {
      const b = await body(req, schemas.swap);
      return json(200, emu.swapPlayer(matchId, b.faction, b.out, b.in));
    }
    case 'POST /matches/:id/maps':
      return json(200, emu.finishMap(matchId, await body(req, schemas.map)));
    case 'POST /matches/:id/status': {
      const { status: s, ...o } = await body(req, schemas.status);
      return json(200, emu.setStatus(matchId, s, o));
    }
    case 'POST /matches/:id/webhook': {
      const { event: e, ...o } = await body(req, schemas.build);
      return json(200, emu.buildWebhook(matchId, e, o));
    }
    case 'POST /webhooks/deliver': {
      const b = await body(req, schemas.deliver);
      const env = 'envelope' in b ? envelopeOf(b.envelope) : emu.buildWebhook(b.matchId, b.event, b.options);
      return json(200, await emu.deliver(b.target, env));
    }
    case 'POST /webhooks/redeliver': {
      const b = await body(req, schemas.redeliver);
      const env = 'envelope' in b ? envelopeOf(b.envelope) : emu.lastDelivered(b.eventId);
      if (!env) throw new HttpError(404, `no delivery with event_id ${'eventId' in b ? b.eventId : ''}`);
      return json(200, await emu.redeliver(b.target, env));
    }
    case 'POST /webhooks/play': {
      const { target: t, matchId: id, events, ...o } = await body(req, schemas.play);
      return json(200, await emu.play(t, id, events, o));
    }
    case 'POST /webhooks/timeline': {
      const b = await body(req, schemas.timeline);
      return json(200, await emu.playTimeline(b.target, b.matchId, b.until ? { until: b.until } : {}));
    }
    case 'GET /webhooks/log':
      return json(200, emu.deliveries());
    case 'POST /oauth/redirect-uris':
      emu.addRedirectUri((await body(req, schemas.redirectUri)).uri);
      return json(200, { redirectUris: emu.redirectUris() });
    case 'POST /oauth/authorize': {
      const b = await body(req, schemas.authorize);
      return json(200, { location: emu.authorize({ ...b, clientId: b.clientId ?? emu.clientId }) });
    }
    case 'POST /oauth/id-token':
      emu.setIdTokenMode((await body(req, schemas.idToken)).mode);
      return json(200, { mode: emu.idTokenMode() });
    case 'GET /oauth/id-token':
      return json(200, { mode: emu.idTokenMode() });
    case 'GET /faults':
      return json(200, extras.faults());
    case 'POST /faults':
      emu.setFault(await body(req, schemas.fault));
      return json(200, extras.faults());
    case 'DELETE /faults':
      emu.clearFaults();
      return json(200, extras.faults());
    case 'POST /latency': {
      const b = await body(req, schemas.latency);
      emu.setLatency(b.route, b.ms);
      return json(200, extras.faults());
    }
    case 'POST /clock': {
      emu.advanceTime((await body(req, schemas.clock)).advanceMs);
      return json(200, { now: new Date(emu.now()).toISOString() });
    }
    case 'GET /stats':
      return json(200, emu.stats());
    default:
      throw new HttpError(404, `no control route ${method} ${path}`);
  }
}
