// Shared types of the FACEIT emulator: internal state records and the wire shapes it produces.

export type MatchStatus =
  | 'SCHEDULED'
  | 'CHECK_IN'
  | 'VOTING'
  | 'CAPTAIN_PICK'
  | 'CONFIGURING'
  | 'READY'
  | 'ONGOING'
  | 'MANUAL_RESULT'
  | 'PAUSED'
  | 'FINISHED'
  | 'CANCELLED'
  | 'ABORTED';

export const MATCH_STATUSES: readonly MatchStatus[] = [
  'SCHEDULED',
  'CHECK_IN',
  'VOTING',
  'CAPTAIN_PICK',
  'CONFIGURING',
  'READY',
  'ONGOING',
  'MANUAL_RESULT',
  'PAUSED',
  'FINISHED',
  'CANCELLED',
  'ABORTED',
];

export type FactionKey = 'faction1' | 'faction2';
export type CompetitionType = 'matchmaking' | 'championship' | 'hub';

export type WebhookEvent =
  | 'match_object_created'
  | 'match_status_configuring'
  | 'match_status_ready'
  | 'match_status_finished'
  | 'match_status_cancelled'
  | 'match_status_aborted'
  | 'match_demo_ready';

export const WEBHOOK_EVENTS: readonly WebhookEvent[] = [
  'match_object_created',
  'match_status_configuring',
  'match_status_ready',
  'match_status_finished',
  'match_status_cancelled',
  'match_status_aborted',
  'match_demo_ready',
];

/** A seeded FACEIT account. `id` is the player GUID (Data API `player_id`, webhook `roster[].id`, userinfo `guid`). */
export interface Player {
  id: string;
  nickname: string;
  avatar: string;
  country: string;
  email: string;
  steamId64: string;
  gameName: string;
  skillLevel: number;
  elo: number;
  membership: string;
}

export interface SeedPlayerInput {
  id?: string;
  nickname: string;
  avatar?: string;
  country?: string;
  email?: string;
  steamId64?: string;
  gameName?: string;
  skillLevel?: number;
  elo?: number;
  membership?: string;
}

export interface Faction {
  /** Matchmaking: the captain's player id at seeding time. Championship: a team GUID. Never changes. */
  factionId: string;
  name: string;
  leader: string;
  avatar: string;
  /** Player ids, in roster order. */
  roster: string[];
  substitutions: number;
  /** Championship bench: `playing` = in this match's lineup although not on the roster. */
  substitutes: { id: string; playing: boolean }[];
  /** A championship free pass: id `bye`, nobody on it. */
  bye: boolean;
}

export interface MatchResults {
  winner: FactionKey;
  score: Record<FactionKey, number>;
}

/** One map of the match as FACEIT records it once played: its result, and the server instance that played it. */
export interface PlayedMap {
  winner: FactionKey;
  score: Record<FactionKey, number>;
  /** Which attempt (server instance) of that map played it: `<match>-<map>-<instance>` in the demo's name. */
  instance: number;
}

export interface Match {
  id: string;
  game: string;
  region: string;
  competitionId: string;
  competitionType: CompetitionType;
  competitionName: string;
  organizerId: string;
  status: MatchStatus;
  version: number;
  factions: Record<FactionKey, Faction>;
  bestOf: number;
  calculateElo: boolean;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
  scheduledAt?: number;
  configuredAt?: number;
  startedAt?: number;
  finishedAt?: number;
  results?: MatchResults;
  /** Per-map results (`detailed_results`): the played maps, or a forfeit's 1–0 placeholders. */
  detailed?: MatchResults[];
  /** Maps played so far in this run of the match (each has a demo). */
  maps: PlayedMap[];
  /** FINISHED without being played (a forfeit or AFK): no `started_at`, the epoch in the finish webhook. */
  forfeit?: boolean;
  reason?: string;
  /** A cancel's `players` and `afk` (player ids), as the cancel webhook carries them. */
  cancel?: { players: string[]; afk: string[] };
  /** Server instances of the map being played so far (each configuring is one; a restart does not reset it). */
  instances: number;
  map: string;
  location: string;
  /** Until then (emulator clock, epoch ms) the Data API answers 404 for this match. */
  hiddenUntil?: number;
}

export interface SeedSubstitute {
  /** A seeded player's id or nickname. */
  player: string;
  /** In the lineup (Data API `playing: true`). Default false: on the bench. */
  playing?: boolean;
}

export interface SeedMatchInput {
  id?: string;
  /** Player ids (or nicknames) of seeded players. May be empty. */
  faction1: string[];
  faction2: string[];
  status?: MatchStatus;
  game?: string;
  region?: string;
  competitionType?: CompetitionType;
  competitionId?: string;
  competitionName?: string;
  organizerId?: string;
  factionNames?: [string, string];
  bestOf?: number;
  /** Championship benches, per faction. */
  substitutes?: Partial<Record<FactionKey, SeedSubstitute[]>>;
  /** That faction is a bye team (id `bye`, empty roster): its player list must be empty. */
  bye?: FactionKey;
  /** When the match is to be played (epoch ms, emulator clock); championships only. Default: now. */
  scheduledAt?: number;
}

export interface SetStatusOptions {
  /**
   * FINISHED without being played (a forfeit, or players AFK): no `started_at` in the Data API, the epoch
   * in the finish webhook, `results` of the maps needed to win made of 1–0 placeholders.
   */
  forfeit?: boolean;
  /** CANCELLED: the cancel webhook's `afk` and `players` (seeded player ids or nicknames). */
  afk?: string[];
  players?: string[];
  winner?: FactionKey;
  /** FINISHED of a match that counts for ELO: each winner gains, each loser loses this much (default 25). */
  eloChange?: number;
  score?: Partial<Record<FactionKey, number>>;
  reason?: string;
}

export interface WebhookRosterPlayer {
  id: string;
  nickname: string;
  avatar: string;
  game_id: string;
  game_name: string;
  game_skill_level: number;
  membership: string;
  anticheat_required: boolean;
}

/** `match_demo_ready` roster entries have no `anticheat_required`; a finish's bench entries carry `playing`. */
export type WebhookTeamPlayer = Omit<WebhookRosterPlayer, 'anticheat_required'> & {
  anticheat_required?: boolean;
  playing?: boolean;
};

export interface WebhookTeam {
  id: string;
  name: string;
  type: string;
  avatar: string;
  leader_id: string;
  co_leader_id: string;
  roster: WebhookTeamPlayer[];
  substitutions: number;
  substitutes: WebhookTeamPlayer[] | null;
}

export interface WebhookMatchPayload {
  id: string;
  organizer_id: string;
  region: string;
  game: string;
  version: number;
  reason?: string;
  /** A cancel's players and AFK players (player ids; the captures show empty lists). */
  players?: string[];
  afk?: string[];
  entity: { id: string; name: string; type: string };
  teams?: WebhookTeam[];
  created_at: string;
  updated_at: string;
  started_at?: string;
  finished_at?: string;
  /** `match_demo_ready`: one map's demo, `…/<game>/<match id>-<map>-<instance>.dem.zst`. */
  demo_url?: string;
}

export interface WebhookEnvelope {
  transaction_id: string;
  event: WebhookEvent;
  event_id: string;
  third_party_id: string;
  app_id: string;
  timestamp: string;
  retry_count: number;
  version: number;
  payload: WebhookMatchPayload;
}

export interface BuildWebhookOptions {
  eventId?: string;
  transactionId?: string;
  retryCount?: number;
  thirdPartyId?: string;
  /** Teams present but every roster empty (what `match_object_created` may look like). */
  emptyRosters?: boolean;
  /** No `teams` key at all. */
  omitTeams?: boolean;
  /** `reason` for cancelled/aborted; defaults to the match's reason. */
  reason?: string;
  /** `match_demo_ready`: the map (1-based) whose demo it announces; default the last one played. */
  map?: number;
}

export interface WebhookTarget {
  url: string;
  /** Header carrying the secret. Default `x-faceit-webhook-secret`. Ignored when `query` is set. */
  header?: string;
  /**
   * Send the secret as this query parameter of the URL instead of a header (the subscription's
   * `tokens.query_name`/`query_value` slot).
   */
  query?: string;
  secret: string;
  /** Abort the POST after this long; the result then has status 0. Default 10 000. */
  timeoutMs?: number;
}

export interface DeliveryResult {
  /** HTTP status of the receiver's answer; 0 when the request failed (connection refused, timeout). */
  status: number;
  body: string;
  error?: string;
  event: WebhookEvent;
  eventId: string;
  transactionId: string;
  retryCount: number;
  envelope: WebhookEnvelope;
}

export interface PlayOptions {
  /** Deliver every envelope this many times in total (default 1). */
  duplicates?: number;
  /** `same` (default): byte-identical copies. `new-ids`: fresh event_id/transaction_id, same payload. */
  duplicateStyle?: 'same' | 'new-ids';
  /** Fire all deliveries at once instead of one after another. */
  concurrent?: boolean;
  /** Move the match to each event's status before building its envelope (default true). */
  applyStatus?: boolean;
  /** Delivery order as a permutation of indexes into `events` (default: the order given). */
  order?: number[];
  /** Redeliver (retry_count + 1) up to this many times while the receiver answers non-2xx. Default 0. */
  retries?: number;
  buildOptions?: Omit<BuildWebhookOptions, 'eventId' | 'transactionId' | 'retryCount'>;
}

export type FaultKind = 'status' | 'ratelimit' | 'hang';

export interface Fault {
  /** A route name (see ROUTES in docs) or `*`. */
  route: string;
  kind: FaultKind;
  status?: number;
  retryAfter?: number;
  /** Apply this many times, then drop the fault. Default: until cleared. */
  times?: number;
  /** OAuth routes, `status` faults: the body's `error` (default `server_error` for 5xx, `invalid_request` else). */
  error?: string;
  /** OAuth routes, `status` faults: also send this `WWW-Authenticate` header. */
  wwwAuthenticate?: string;
  /** OAuth routes, `status` faults: answer this text/html body instead of JSON (a gateway's error page). */
  html?: string;
}

export interface AuthorizeInput {
  clientId: string;
  redirectUri: string;
  state?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  scope?: string;
  playerId?: string;
  /** Sign in by nickname; an unknown nickname is seeded as a new player. */
  nickname?: string;
  deny?: boolean;
}

export interface FaceitStats {
  requests: number;
  byRoute: Record<string, number>;
  rateLimited: number;
  faultsInjected: number;
  tokenRequests: number;
  tokensIssued: number;
  userinfoRequests: number;
  codesIssued: number;
  webhooksDelivered: number;
  controlRequests: number;
}

/**
 * What the token response's id_token looks like. `complete`: every claim oauth4webapi checks;
 * `no-exp`: no `exp` (as reported in next-auth #3753, the default); `broken`: no `exp`, `iat` or `sub`
 * and an `iss` with a trailing slash; `none`: no id_token at all.
 */
export const ID_TOKEN_MODES = ['complete', 'no-exp', 'broken', 'none'] as const;
export type IdTokenMode = (typeof ID_TOKEN_MODES)[number];

/** One request the emulator served: its route name, path with query, and when (emulator clock, ms). */
export interface FaceitRequestRecord {
  route: string;
  path: string;
  at: number;
}

export interface FaceitEmulatorOptions {
  /** Default 0 (any free port). Always binds 127.0.0.1. */
  port?: number;
  apiKey?: string;
  clientId?: string;
  clientSecret?: string;
  /** Exact-match allowlist of redirect URIs for the OAuth client. */
  redirectUris?: string[];
  /** Data API requests allowed per key per 1 s window. Default 10, like the real gateway. */
  rateLimitPerSecond?: number;
  /** Authorization code lifetime. Default 60 000. */
  codeTtlMs?: number;
  /** Access token lifetime (`expires_in`). Default 3600. */
  tokenTtlSec?: number;
  /** id_token `iss` and discovery `issuer`. Default `${url}/auth` (the real one is https://api.faceit.com/auth). */
  issuer?: string;
  /** Webhook envelope `app_id`. Default: a random uuid. */
  appId?: string;
  /** Also put `sub` (= guid) in userinfo. Default false: the real response is only known to carry `guid`. */
  userinfoSub?: boolean;
  /**
   * The id_token in token responses (see IdTokenMode). Default `no-exp`, as FACEIT was reported to
   * send; `complete` is the lenient world where oauth4webapi's checks pass.
   */
  idToken?: IdTokenMode;
  /** Clock source (epoch ms). Default Date.now; advanceTime() adds to it. */
  now?: () => number;
}

export interface FaceitEmulator {
  url: string;
  /** `${url}/data/v4` (FACEIT_API_URL). */
  dataApiUrl: string;
  /** `${url}/accounts`: the authorize page (FACEIT_AUTH_URL). */
  authUrl: string;
  tokenUrl: string;
  userinfoUrl: string;
  issuer: string;
  discoveryUrl: string;
  jwksUrl: string;
  /** `${url}/_sandbox/faceit`. */
  controlUrl: string;
  apiKey: string;
  clientId: string;
  clientSecret: string;
  appId: string;

  addRedirectUri(uri: string): void;
  redirectUris(): string[];
  seedPlayer(p: SeedPlayerInput): Player;
  /** Faction entries are player ids (or nicknames) of seeded players. */
  seedMatch(m: SeedMatchInput): Match;
  setRoster(matchId: string, faction: FactionKey, playerIds: string[]): Match;
  setStatus(matchId: string, status: MatchStatus, o?: SetStatusOptions): Match;
  /** A player leaves the lineup for the bench and another (a substitute, or any seeded player) takes the place. */
  swapPlayer(matchId: string, faction: FactionKey, out: string, into: string): Match;
  /** The map being played ends: FACEIT records its result and its demo (`match_demo_ready` announces it). */
  finishMap(matchId: string, o?: FinishMapOptions): Match;
  /** The Data API answers 404 `err_nf0` for the match during the next `hiddenForMs` (0 = visible again). */
  hideMatch(matchId: string, hiddenForMs: number): Match;
  players(): Player[];
  matches(): Match[];
  getMatch(matchId: string): Match;

  buildWebhook(matchId: string, event: WebhookEvent, o?: BuildWebhookOptions): WebhookEnvelope;
  deliver(target: WebhookTarget, envelope: WebhookEnvelope): Promise<DeliveryResult>;
  redeliver(target: WebhookTarget, envelope: WebhookEnvelope): Promise<DeliveryResult>;
  play(
    target: WebhookTarget,
    matchId: string,
    events: WebhookEvent[],
    o?: PlayOptions,
  ): Promise<DeliveryResult[]>;
  deliveries(): DeliveryResult[];
  lastDelivered(eventId: string): WebhookEnvelope | undefined;
  /**
   * Plays a timeline (default: the championship room of the real captures, CHAMPIONSHIP_TIMELINE) for the
   * match, from where it last stopped up to and including the step named `until` (default: to the end):
   * each step moves the emulator clock by its gap, changes the match as FACEIT did, then delivers.
   */
  playTimeline(
    target: WebhookTarget,
    matchId: string,
    o?: { until?: string; steps?: readonly TimelineStep[] },
  ): Promise<TimelineDelivery[]>;

  authorize(input: AuthorizeInput): string;
  /** Changes the id_token of later token responses. */
  setIdTokenMode(mode: IdTokenMode): void;
  idTokenMode(): IdTokenMode;

  setFault(f: Fault): void;
  setLatency(route: string, ms: number): void;
  clearFaults(): void;
  /** Moves the emulator's clock forward (code/token expiry, rate-limit windows, timestamps). */
  advanceTime(ms: number): void;
  now(): number;
  stats(): FaceitStats;
  /** Resolves once `route` (a route name, e.g. `data.match`, or `*`) has been requested `count` times in total. */
  waitForRequest(route: string, count?: number): Promise<void>;
  /** The requests served (not the control API's), in the order they arrived; the last 10,000. */
  requestLog(): FaceitRequestRecord[];
  close(): Promise<void>;
}

export interface FinishMapOptions {
  /** Default faction1. */
  winner?: FactionKey;
  /** Rounds; default 13 for the winner, 9 for the other. */
  score?: Partial<Record<FactionKey, number>>;
}

/** What a timeline step may do to the match besides its status: swap a lineup player for a bench one. */
export interface TimelineWorld {
  /** Lineup position `out` (0-based) of `faction` and bench position `into` change places. */
  swap(faction: FactionKey, out: number, into: number): void;
  /** A new server instance for the map being played (what a CONFIGURING does) without a status change. */
  newInstance(): void;
}

/**
 * One step of a scripted timeline: after `gapMs` on the emulator clock, change the match as FACEIT did (a
 * map's result, the roster, the status), then deliver `event` — or, with `copyOf`, the envelope an earlier
 * step delivered, again, byte for byte.
 */
export interface TimelineStep {
  name: string;
  event: WebhookEvent;
  gapMs: number;
  /** The Data API's status once the step happened (null: unchanged). */
  status: MatchStatus | null;
  statusOptions?: SetStatusOptions;
  /** The map being played ends first (its result and demo). */
  finishMap?: FinishMapOptions;
  change?: (world: TimelineWorld) => void;
  copyOf?: string;
  note: string;
}

export interface TimelineDelivery {
  step: string;
  result: DeliveryResult;
}
