import { z } from 'zod';
import { eventDetailsSchema } from '../faceit/match-event.ts';
import {
  CREATED_EVENTS,
  MATCH_EVENTS,
  type MatchEvent,
  matchIdSchema,
  RECORD_EVENTS,
} from '../faceit/webhook.ts';

/**
 * matchCreated / matchFinished: one per (match, event), routed to the guilds that take the match.
 * matchGuildCreated / matchGuildFinished: one per (match, event, guild), when several guilds take it.
 */
export const MATCH_JOBS = {
  created: 'matchCreated',
  finished: 'matchFinished',
  demoReady: 'matchDemoReady',
  guildCreated: 'matchGuildCreated',
  guildFinished: 'matchGuildFinished',
} as const;
export type MatchJobName = (typeof MATCH_JOBS)[keyof typeof MATCH_JOBS];
export const LINK_JOBS = { link: 'linkAccount' } as const;
export const MAINTENANCE_JOBS = { sweep: 'sweep' } as const;

export function jobNameForEvent(event: MatchEvent): MatchJobName {
  if ((RECORD_EVENTS as readonly string[]).includes(event)) return MATCH_JOBS.demoReady;
  return (CREATED_EVENTS as readonly string[]).includes(event) ? MATCH_JOBS.created : MATCH_JOBS.finished;
}

/**
 * BullMQ priority of a match job (lower runs first; none = 0 = before every prioritized job). A match
 * that is ready (its players are waiting) and a match ending (its channels must go) run before a match
 * that is only being set up (object_created/configuring: its channels are built early, while there is time).
 */
export function jobPriorityForEvent(event: MatchEvent): number | undefined {
  // A map's line on the card waits for every set-up.
  if (event === 'match_demo_ready') return 20;
  return event === 'match_object_created' || event === 'match_status_configuring' ? 10 : undefined;
}

/** Options of the job for a match event: its id (duplicates collapse) and its priority. */
export function matchJobOptions(
  matchId: string,
  event: MatchEvent,
  version?: number | null,
): { jobId: string; priority?: number } {
  const priority = jobPriorityForEvent(event);
  return { jobId: matchJobId(matchId, event, version), ...(priority ? { priority } : {}) };
}

/** Data of `matchCreated` / `matchFinished`: what the worker needs, not the whole (PII-carrying) payload. */
export const matchJobSchema = z.object({
  matchId: matchIdSchema,
  event: z.enum(MATCH_EVENTS),
  eventId: z.string().min(1),
  transactionId: z.string().min(1),
  retryCount: z.number().int().min(0),
  /** payload.version: FACEIT's per-match counter, used to tell stale events from fresh ones. */
  payloadVersion: z.number().int().nullable(),
  occurredAt: z.string(),
  receivedAt: z.string(),
  /** What the worker needs of the payload (a cancel's reason and AFK players, a forfeit's start, a demo). */
  details: eventDetailsSchema.optional(),
});
export type MatchJobData = z.infer<typeof matchJobSchema>;

const guildIdSchema = z.string().regex(/^\d{17,20}$/, 'a Discord guild id (a snowflake)');

/** Data of `matchGuildFinished`: the match event's data plus the guild to clean up in. */
export const matchGuildFinishedSchema = matchJobSchema.extend({ guildId: guildIdSchema });
export type MatchGuildFinishedData = z.infer<typeof matchGuildFinishedSchema>;

/** An optional field read defensively: a value of another type reads as absent instead of failing the job. */
const maybe = <T extends z.ZodType>(schema: T) => schema.nullish().catch(undefined);

const jobPlayerSchema = z.object({
  player_id: z.string(),
  nickname: maybe(z.string()),
  /** The card's level badge. */
  game_skill_level: maybe(z.number()),
  /** Substitutes: true when this bench player is in the lineup. */
  playing: maybe(z.boolean()),
});
const jobFactionSchema = z.object({
  /** `bye` marks a championship free pass (no channel). */
  faction_id: maybe(z.string()),
  name: maybe(z.string()),
  roster: maybe(z.array(jobPlayerSchema)),
  substitutes: maybe(z.array(jobPlayerSchema)),
});

/**
 * The fields of FACEIT's match a per-guild job reads (its channels: the lineups; its card: names,
 * levels, map, score, room link), and nothing else: a job's data stays in Redis for a day (a week when it
 * failed) and shows in the dashboard, so the Data API's Steam ids (`game_player_id`), avatars,
 * memberships and the rest are not carried. `z.object` strips what it does not name, so a job queued by
 * an older worker with the whole match still parses: its handler gets this shape (its data in Redis goes
 * with the job, within those retention times). The equivalence with the full match for what the channel
 * plan and the card read is table-tested (`queue-contracts.test.ts`).
 */
export const jobMatchSchema = z.object({
  match_id: z.string(),
  status: maybe(z.string()),
  competition_name: maybe(z.string()),
  faceit_url: maybe(z.string()),
  teams: maybe(z.object({ faction1: maybe(jobFactionSchema), faction2: maybe(jobFactionSchema) })),
  voting: maybe(z.object({ map: maybe(z.object({ pick: maybe(z.array(z.string())) })) })),
  results: maybe(z.object({ winner: maybe(z.string()), score: maybe(z.record(z.string(), z.number())) })),
});
export type JobMatch = z.infer<typeof jobMatchSchema>;

/**
 * Data of `matchGuildCreated`: plus the match as the routing job fetched it (only what the job reads:
 * `jobMatchSchema`), so FACEIT is asked once per event, not once per guild (a later event carries a
 * fresher one).
 */
export const matchGuildCreatedSchema = matchGuildFinishedSchema.extend({ match: jobMatchSchema });
export type MatchGuildCreatedData = z.infer<typeof matchGuildCreatedSchema>;

/** Options of a per-guild job: its id, and the priority of the event it comes from. */
export function matchGuildJobOptions(
  name: typeof MATCH_JOBS.guildCreated | typeof MATCH_JOBS.guildFinished,
  data: Pick<MatchJobData, 'matchId' | 'event' | 'payloadVersion'>,
  guildId: string,
  cycle = 0,
): { jobId: string; priority?: number } {
  const priority = name === MATCH_JOBS.guildCreated ? jobPriorityForEvent(data.event) : undefined;
  return { jobId: matchGuildJobId(name, data, guildId, cycle), ...(priority ? { priority } : {}) };
}

/**
 * The id of a per-guild job: the routing job's id and the guild (deterministic: the routing job's retry or
 * another worker copy adds the same ids, which BullMQ ignores). A clean-up decided on a created event
 * (FACEIT says the match ended) is `ended-…`, apart from that event's build. `cycle`: how often FACEIT
 * restarted the match. A restarted match may end with a byte-identical copy of the finish that ended its
 * first cycle (real captures), whose per-guild clean-ups must not be taken for the first cycle's.
 */
export function matchGuildJobId(
  name: typeof MATCH_JOBS.guildCreated | typeof MATCH_JOBS.guildFinished,
  data: Pick<MatchJobData, 'matchId' | 'event' | 'payloadVersion'>,
  guildId: string,
  cycle = 0,
): string {
  const ended = name === MATCH_JOBS.guildFinished && jobNameForEvent(data.event) === MATCH_JOBS.created;
  const routing = matchJobId(data.matchId, data.event, data.payloadVersion);
  return `${ended ? 'ended-' : ''}${routing}-${guildId}${cycle > 0 ? `-r${cycle}` : ''}`;
}

/**
 * One job per (match, event, FACEIT version): a redelivery or duplicate of the same event maps to the same
 * id and BullMQ ignores the add, while the same event name sent again for a later state of the match (a
 * re-configured room, a restart after a finish: real captures send `match_status_configuring` seven times
 * for one championship match) is a job of its own. No version: one job per (match, event). Job ids may not
 * contain ':' (matchIdSchema forbids it).
 */
export function matchJobId(matchId: string, event: MatchEvent, version?: number | null): string {
  return version === undefined || version === null
    ? `${event}-${matchId}`
    : `${event}-${matchId}-v${version}`;
}

/**
 * Data of `linkAccount`. The OAuth code and PKCE verifier stay in Redis under a random ticket (parked by
 * the callback), so the job carries neither: only the ticket and the Discord user.
 */
export const linkJobSchema = z.object({
  /** Redis key suffix where the callback parked {discordUserId, verifier, code} for the worker. */
  ticket: z.string().min(16),
  discordUserId: z.string().min(1),
});
export type LinkJobData = z.infer<typeof linkJobSchema>;

/** Data of `sweep`: who asked for it (the scheduler says 'scheduled'), for the log. */
export const sweepJobSchema = z.object({ reason: z.string().min(1) });
export type SweepJobData = z.infer<typeof sweepJobSchema>;

/**
 * Return value of a completed `linkAccount`: that it linked, and no more. Completed jobs stay in Redis
 * (and the dashboard) for a while, so they carry no Discord ↔ FACEIT pairing; what the callback page
 * shows it reads once from a short-lived key (`takeLinkResult`, oauth/state-store.ts).
 */
export interface LinkJobResult {
  linked: true;
}

/**
 * Why a `linkAccount` job failed for good: the callback page and the DM say different things for each.
 * `misconfigured`: FACEIT rejected the bridge's OAuth settings, an operator must fix them.
 */
export const LINK_FAILURES = [
  'invalid_grant',
  'ticket_missing',
  'faceit_unavailable',
  'misconfigured',
] as const;
export type LinkFailure = (typeof LINK_FAILURES)[number];

/**
 * The failed job's message for `reason`. A link that cannot succeed FAILS the job (rather than completing it
 * with a failure result) so that the retryable case keeps BullMQ's retries and backoff, and every failure
 * lands in the failed set and the jobs metric like any other job's. BullMQ keeps only a string
 * (`failedReason`), so the reason leads it in this one format, written here and read by linkFailureOf.
 */
export function linkFailureMessage(reason: LinkFailure, detail: string): string {
  return `${reason}: ${detail}`;
}

/** The reason of a failed `linkAccount` job; an error not coded by linkFailureMessage reads as FACEIT's. */
export function linkFailureOf(failedReason: string | undefined): LinkFailure {
  const head = failedReason?.split(':', 1)[0];
  return LINK_FAILURES.find((r) => r === head) ?? 'faceit_unavailable';
}
