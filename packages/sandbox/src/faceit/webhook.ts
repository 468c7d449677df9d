// Builds webhook envelopes in the shape of the real deliveries (match_status_ready / match_status_finished samples).
import { randomUUID } from 'node:crypto';
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
} from './types.ts';
import { WEBHOOK_EVENTS } from './types.ts';

/** The status a match is in when FACEIT sends the event (`match_object_created` implies none). */
export const EVENT_STATUS: Record<WebhookEvent, MatchStatus | undefined> = {
  match_object_created: undefined,
  match_status_configuring: 'CONFIGURING',
  match_status_ready: 'READY',
  match_status_finished: 'FINISHED',
  match_status_cancelled: 'CANCELLED',
  match_status_aborted: 'ABORTED',
};

/** RFC 3339, UTC, whole seconds: `2022-12-09T18:55:38Z`. */
export function rfc3339(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export function assertEvent(event: string): asserts event is WebhookEvent {
  if (!(WEBHOOK_EVENTS as readonly string[]).includes(event))
    throw new Error(`unknown webhook event: ${event}`);
}

function team(state: FaceitState, match: Match, key: FactionKey, empty: boolean): WebhookTeam {
  const f = match.factions[key];
  const players = (ids: string[]) =>
    ids.flatMap((id) => {
      const p = state.players.get(id);
      if (!p) return [];
      return [
        {
          id: p.id,
          nickname: p.nickname,
          avatar: p.avatar,
          game_id: p.steamId64,
          game_name: p.gameName,
          game_skill_level: p.skillLevel,
          membership: p.membership,
          anticheat_required: true,
        },
      ];
    });
  const roster = empty ? [] : players(f.roster);
  const substitutes = empty ? [] : players(f.substitutes.map((s) => s.id));
  return {
    id: f.factionId,
    name: f.name,
    type: match.competitionType === 'championship' ? 'premade' : '',
    avatar: f.avatar,
    leader_id: f.leader,
    co_leader_id: '',
    roster,
    substitutions: f.substitutions,
    substitutes: substitutes.length > 0 ? substitutes : null,
  };
}

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
  const teams = o.omitTeams
    ? {}
    : { teams: [team(state, match, 'faction1', empty), team(state, match, 'faction2', empty)] };
  const payload: WebhookMatchPayload = {
    id: match.id,
    organizer_id: match.organizerId,
    region: match.region,
    game: match.game,
    version: match.version,
    entity: { id: match.competitionId, name: match.competitionName, type: match.competitionType },
    ...teams,
    created_at: rfc3339(match.createdAt),
    updated_at: rfc3339(match.updatedAt),
  };
  if (event === 'match_status_finished') {
    payload.started_at = rfc3339(match.startedAt ?? match.updatedAt);
    payload.finished_at = rfc3339(match.finishedAt ?? match.updatedAt);
  }
  if (event === 'match_status_cancelled' || event === 'match_status_aborted') {
    payload.reason =
      o.reason ?? match.reason ?? (event === 'match_status_cancelled' ? 'cancelled' : 'aborted');
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
