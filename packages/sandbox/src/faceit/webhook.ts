// Builds webhook envelopes in the shape of the real deliveries (match_status_ready / match_status_finished samples).
import { randomUUID } from 'node:crypto';
import { demoUrl } from './data-shapes.ts';
import type { FaceitState } from './state.ts';
import type {
  BuildWebhookOptions,
  FactionKey,
  Match,
  MatchStatus,
  WebhookEnvelope,
  WebhookEvent,
  WebhookMatchPayload,
  WebhookTeam,
  WebhookTeamPlayer,
} from './types.ts';
import { WEBHOOK_EVENTS } from './types.ts';

/** The status a match is in when FACEIT sends the event (`match_object_created` and `match_demo_ready` imply none). */
export const EVENT_STATUS: Record<WebhookEvent, MatchStatus | undefined> = {
  match_object_created: undefined,
  match_status_configuring: 'CONFIGURING',
  match_status_ready: 'READY',
  match_status_finished: 'FINISHED',
  match_status_cancelled: 'CANCELLED',
  match_status_aborted: 'ABORTED',
  match_demo_ready: undefined,
};

/** What a finish without a real start (forfeit, AFK) carries as `started_at` (the captures). */
export const FORFEIT_STARTED_AT = '1970-01-01T00:00:00Z';

/** RFC 3339, UTC, whole seconds: `2022-12-09T18:55:38Z`. */
export function rfc3339(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export function assertEvent(event: string): asserts event is WebhookEvent {
  if (!(WEBHOOK_EVENTS as readonly string[]).includes(event))
    throw new Error(`unknown webhook event: ${event}`);
}

/**
 * A team as the event shows it: `finish` marks each bench player `playing` (the captured finish);
 * `demo` has no `anticheat_required` and an empty bench (the captured demo_ready).
 */
function team(
  state: FaceitState,
  match: Match,
  key: FactionKey,
  empty: boolean,
  kind: 'default' | 'finish' | 'demo',
): WebhookTeam {
  const f = match.factions[key];
  const players = (ids: string[], bench = false): WebhookTeamPlayer[] =>
    ids.flatMap((id) => {
      const p = state.players.get(id);
      if (!p) return [];
      const base = {
        id: p.id,
        nickname: p.nickname,
        avatar: p.avatar,
        game_id: p.steamId64,
        game_name: p.gameName,
        game_skill_level: p.skillLevel,
        membership: p.membership,
      };
      if (kind === 'demo') return [base];
      const playing = f.substitutes.find((s) => s.id === id)?.playing === true;
      return [{ ...base, anticheat_required: true, ...(bench && kind === 'finish' ? { playing } : {}) }];
    });
  const roster = empty ? [] : players(f.roster);
  const substitutes =
    empty || kind === 'demo'
      ? []
      : players(
          f.substitutes.map((s) => s.id),
          true,
        );
  return {
    id: f.factionId,
    name: f.name,
    type: match.competitionType === 'championship' ? 'premade' : '',
    avatar: f.avatar,
    leader_id: f.leader,
    co_leader_id: '',
    roster,
    substitutions: f.substitutions,
    substitutes: substitutes.length > 0 || kind === 'demo' ? substitutes : null,
  };
}

/**
 * The envelope FACEIT would POST for `event`, from the match's current state. Key order and per-event
 * fields follow the real captures (fixtures/faceit-samples): a championship `match_object_created` has no
 * `teams`; a cancel adds `reason`, `players`, `afk` after `version`; a finish adds `started_at` (the epoch
 * for a forfeit) and `finished_at`; `match_demo_ready` puts `version` and `demo_url` after `updated_at`.
 */
export function buildWebhook(
  state: FaceitState,
  appId: string,
  matchId: string,
  event: WebhookEvent,
  o: BuildWebhookOptions = {},
  now: number = Date.now(),
): WebhookEnvelope {
  assertEvent(event);
  const match = state.getMatch(matchId);
  const empty = o.emptyRosters === true;
  const kind =
    event === 'match_demo_ready' ? 'demo' : event === 'match_status_finished' ? 'finish' : 'default';
  const omitTeams =
    o.omitTeams ?? (event === 'match_object_created' && match.competitionType === 'championship');
  const teams = omitTeams
    ? {}
    : { teams: [team(state, match, 'faction1', empty, kind), team(state, match, 'faction2', empty, kind)] };
  const head = { id: match.id, organizer_id: match.organizerId, region: match.region, game: match.game };
  const entity = { id: match.competitionId, name: match.competitionName, type: match.competitionType };
  const times = { created_at: rfc3339(match.createdAt), updated_at: rfc3339(match.updatedAt) };
  let payload: WebhookMatchPayload;
  if (event === 'match_demo_ready') {
    const map = o.map ?? match.maps.length;
    const played = match.maps[map - 1];
    if (!played) throw new Error(`no demo for map ${map} of ${match.id}: finish the map first (finishMap)`);
    payload = {
      ...head,
      entity,
      ...times,
      version: match.version,
      demo_url: demoUrl(match, map, played.instance),
      ...teams,
    };
  } else {
    const cancel: Pick<WebhookMatchPayload, 'reason' | 'players' | 'afk'> = {};
    if (event === 'match_status_cancelled' || event === 'match_status_aborted') {
      cancel.reason = o.reason ?? match.reason ?? (event === 'match_status_cancelled' ? 'MANUAL' : 'aborted');
    }
    if (event === 'match_status_cancelled') {
      cancel.players = [...(match.cancel?.players ?? [])];
      cancel.afk = [...(match.cancel?.afk ?? [])];
    }
    payload = { ...head, version: match.version, ...cancel, entity, ...teams, ...times };
    if (event === 'match_status_finished') {
      payload.started_at = match.forfeit ? FORFEIT_STARTED_AT : rfc3339(match.startedAt ?? match.updatedAt);
      payload.finished_at = rfc3339(match.finishedAt ?? match.updatedAt);
    }
  }
  const firstPlayer = match.factions.faction1.roster[0] ?? match.factions.faction2.roster[0];
  return {
    transaction_id: o.transactionId ?? randomUUID(),
    event,
    event_id: o.eventId ?? randomUUID(),
    third_party_id: o.thirdPartyId ?? firstPlayer ?? randomUUID(),
    app_id: appId,
    timestamp: rfc3339(now),
    retry_count: o.retryCount ?? 0,
    version: 1,
    payload,
  };
}
