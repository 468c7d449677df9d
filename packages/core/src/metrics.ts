import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { ReadGauge, type Sample, within } from './metrics/read-gauge.ts';
import type { ReportGroup } from './metrics/reporter-lease.ts';

export { ReadGauge, within } from './metrics/read-gauge.ts';
export { type ReporterLease, type ReportGroup, startReporterLease } from './metrics/reporter-lease.ts';

/** A BullMQ queue as far as the `bridge_queue_jobs` gauge reads it. */
interface CountableQueue {
  name: string;
  getJobCounts(...states: string[]): Promise<Record<string, number>>;
}

const QUEUE_STATES = [
  'waiting',
  'active',
  'delayed',
  'failed',
  'completed',
  'prioritized',
  'waiting-children',
];

/** A read at scrape time that takes longer than this exports nothing for that scrape, rather than hang it. */
const READ_TIMEOUT_MS = 3000;
/** The IDENTIFY budget is read from Discord at most this often (at scrape time, by the reporting copy). */
const BUDGET_FRESH_MS = 60_000;
/** A budget read longer ago than this is not exported: it may predate Discord's daily reset. */
const BUDGET_STALE_MS = 10 * 60_000;

/** A worker's health as `/healthz` and `bridge_worker_ready` report it. */
export type WorkerHealth =
  | { ok: true }
  | {
      ok: false;
      /** for the operator: what is wrong and how to fix it */
      reason: string;
      /** a short stable code for metrics and alerts: starting, token, identify_budget, guild, … */
      code: string;
    };

/** What some gauges read at scrape time. */
export interface MetricsCollectors {
  queues?: CountableQueue[];
  activeMatches?: () => Promise<number>;
  /** Webhooks accepted but not yet turned into jobs by a relay. */
  intakeBacklog?: () => Promise<number>;
  /** IDENTIFYs left in Discord's daily budget (`GET /gateway/bot`); read at most once a minute. */
  identifyBudget?: () => Promise<number>;
  /**
   * Whether this copy reports the deployment-wide gauges of `group` now (the reporter lease,
   * metrics/reporter-lease.ts). Unset: it does (a single process, a test).
   */
  reports?: (group: ReportGroup) => boolean;
  /** The groups this app takes part in, for `bridge_metrics_reporter`. */
  groups?: readonly ReportGroup[];
  /** The worker's health (`bridge_worker_ready`, `bridge_worker_problem`). */
  health?: () => WorkerHealth;
  /** This process's Redis connection is ready. */
  redisReady?: () => boolean;
}

/**
 * The bridge's Prometheus metrics. Each app makes its own registry (label `app`), so two apps in one
 * test process never share counters; both apps define the same names, and each fills what it does.
 *
 * Deployment-wide gauges (queue counts, the intake backlog, active matches, the IDENTIFY budget) are the
 * same for every copy: only the copy holding the group's reporter lease exports them (`reports`), so a
 * `sum()` over the copies is not copies × the value. The shipped rules still take `max()` (README,
 * Operate → Metrics), which also covers the seconds of a handover.
 */
export function createMetrics(app: 'api' | 'worker', collectors: MetricsCollectors = {}) {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const reports = (group: ReportGroup) => collectors.reports?.(group) ?? true;
  let budget: { remaining: number; at: number } | undefined;
  let spent = false;
  const noteBudget = (remaining: number) => {
    budget = { remaining, at: Date.now() };
  };
  return {
    registry,
    webhooks: new Counter({
      name: 'bridge_webhooks_total',
      help: 'FACEIT webhook deliveries by event (a match event, other, or unknown before the body is read) and outcome (accepted, ignored, invalid, unauthorized, too_large, unavailable, backlog_full)',
      labelNames: ['event', 'outcome'] as const,
      registers,
    }),
    jobs: new Counter({
      name: 'bridge_jobs_total',
      help: 'Jobs processed by queue, name and outcome (completed, failed, retried)',
      labelNames: ['queue', 'name', 'outcome'] as const,
      registers,
    }),
    jobsStalled: new Counter({
      name: 'bridge_jobs_stalled_total',
      help: 'Jobs found stalled (their worker copy died or stopped past the lock) and put back in the queue, by queue; alert when it keeps growing',
      labelNames: ['queue'] as const,
      registers,
    }),
    jobsDeferred: new Counter({
      name: 'bridge_jobs_deferred_total',
      help: "Match jobs put back in the delayed set because a Discord rate limit would hold them, by queue, route and cause (daily_cap: channel creation refused for 10 minutes or more, Discord's daily creation cap; rate_limit: any other)",
      labelNames: ['queue', 'route', 'cause'] as const,
      registers,
    }),
    jobDuration: new Histogram({
      name: 'bridge_job_duration_seconds',
      help: 'Time from a job starting to it finishing, by queue and name',
      labelNames: ['queue', 'name'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    matchReady: new Histogram({
      name: 'bridge_match_ready_seconds',
      help: "Time from the API receiving a match webhook to the match's channels existing in a guild and every linked player in voice moved in, by event; one observation per (event, guild) built",
      labelNames: ['event'] as const,
      buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800],
      registers,
    }),
    queueJobs: new ReadGauge(
      {
        name: 'bridge_queue_jobs',
        help: 'Jobs per queue and state, read from Redis at scrape time; exported by the copy holding the queues reporter lease only',
        labelNames: ['queue', 'state'] as const,
        registers,
      },
      async () => {
        if (!reports('queues')) return [];
        const all = await within(
          READ_TIMEOUT_MS,
          Promise.all(
            (collectors.queues ?? []).map(
              async (q) => [q.name, await q.getJobCounts(...QUEUE_STATES)] as const,
            ),
          ),
        );
        return (all ?? []).flatMap(([queue, counts]) =>
          Object.entries(counts).map(([state, value]) => ({ value, labels: { queue, state } })),
        );
      },
    ),
    intakeBacklog: new ReadGauge(
      {
        name: 'bridge_intake_backlog',
        help: 'Accepted webhooks waiting in the intake stream for a worker to turn them into jobs; exported by the copy holding the queues reporter lease only',
        registers,
      },
      async () => one(reports('queues') ? collectors.intakeBacklog : undefined),
    ),
    intakeRelayed: new Counter({
      name: 'bridge_intake_relayed_total',
      help: 'Intake entries a relay turned into jobs (relayed) or dropped as unreadable (invalid)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    discordRequests: new Counter({
      name: 'bridge_discord_requests_total',
      help: 'Discord REST responses by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers,
    }),
    discord429: new Counter({
      name: 'bridge_discord_429_total',
      help: 'Discord REST 429 responses by route and X-RateLimit-Scope (user, global, shared)',
      labelNames: ['route', 'scope'] as const,
      registers,
    }),
    discordRateLimits: new Counter({
      name: 'bridge_discord_rate_limited_total',
      help: 'Discord rate limits met (waited out by discord.js), by route and whether the limit was the global one',
      labelNames: ['route', 'global'] as const,
      registers,
    }),
    gatewayShardsHeld: new Gauge({
      name: 'bridge_gateway_shards_held',
      help: 'Discord gateway shards this worker copy holds (their leases); summed over copies it should equal the shard count',
      registers,
    }),
    gatewayShardHeld: new Gauge({
      name: 'bridge_gateway_shard_held',
      help: '1 for each shard this worker copy holds; a shard with no copy, or two, is a problem',
      labelNames: ['shard'] as const,
      registers,
    }),
    gatewayShardCount: valueGauge({
      name: 'bridge_gateway_shard_count',
      help: 'The shard count this worker copy uses (every copy must use the same)',
      registers,
    }),
    gatewaySessions: new Counter({
      name: 'bridge_gateway_sessions_total',
      help: 'Gateway sessions started by this copy, by how (resume: continued a session from Redis; identify: a new session, spends the daily budget)',
      labelNames: ['kind'] as const,
      registers,
    }),
    gatewayIdentifyRemaining: new ReadGauge(
      {
        name: 'bridge_gateway_identify_remaining',
        help: "IDENTIFYs left in Discord's daily budget (session_start_limit.remaining): read at most once a minute by the copy holding the worker reporter lease; absent when no read in the last 10 minutes succeeded",
        registers,
      },
      async () => {
        if (!reports('worker')) return [];
        if (collectors.identifyBudget && (!budget || spent || Date.now() - budget.at > BUDGET_FRESH_MS)) {
          spent = false;
          const remaining = await within(READ_TIMEOUT_MS, collectors.identifyBudget());
          if (remaining !== undefined) noteBudget(remaining);
        }
        return budget && Date.now() - budget.at < BUDGET_STALE_MS ? [{ value: budget.remaining }] : [];
      },
    ),
    /**
     * `note`: a budget read made anyway (before an IDENTIFY) saves the next scrape a request. `spent`: this
     * copy has just IDENTIFYed, so the last read is one too high: the next scrape reads again.
     */
    identifyBudget: {
      note: noteBudget,
      spent: () => {
        spent = true;
      },
    },
    voiceConnects: new Counter({
      name: 'bridge_voice_connects_total',
      help: 'Members connecting to voice in the guilds of the shards this copy holds, by whether they have a live team channel there (ours: a late joiner); the others cost no round trip',
      labelNames: ['ours'] as const,
      registers,
    }),
    lateJoinChecks: new Counter({
      name: 'bridge_late_join_checks_total',
      help: 'Looks, shortly after a member became live (their team channel recorded), at whether they sit in voice elsewhere, by outcome: ended (the match is over by then), in_place (the voice mirror shows them in their channel or out of voice; nothing asked of Discord), read (the guild read to move them)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    faceitRequests: new Counter({
      name: 'bridge_faceit_requests_total',
      help: 'FACEIT Data API responses by route and status (0 = network error); 429s are rate limits met',
      labelNames: ['route', 'status'] as const,
      registers,
    }),
    activeMatches: new ReadGauge(
      {
        name: 'bridge_active_matches',
        help: 'Matches with live voice channels, counted once per guild they are in; read from the database at scrape time by the copy holding the worker reporter lease; absent when the database does not answer',
        registers,
      },
      async () => one(reports('worker') ? collectors.activeMatches : undefined),
    ),
    linkAttempts: new Counter({
      name: 'bridge_link_attempts_total',
      help: 'Account link attempts by method (oauth, nickname) and outcome (linked; oauth: failed, misconfigured = FACEIT refused the OAuth client; nickname: taken, not_found, …)',
      labelNames: ['method', 'outcome'] as const,
      registers,
    }),
    reporter: new ReadGauge(
      {
        name: 'bridge_metrics_reporter',
        help: 'Whether this copy exports the deployment-wide gauges of a group (queues: queue counts and intake backlog; worker: active matches and the IDENTIFY budget) now',
        labelNames: ['group'] as const,
        registers,
      },
      async () =>
        (collectors.groups ?? []).map((group) => ({ value: reports(group) ? 1 : 0, labels: { group } })),
    ),
    workerReady: new ReadGauge(
      {
        name: 'bridge_worker_ready',
        help: 'Whether this worker copy is healthy (1) or not (0, with bridge_worker_problem saying why): what /healthz answers',
        registers,
      },
      async () => {
        const health = collectors.health?.();
        return health ? [{ value: health.ok ? 1 : 0 }] : [];
      },
    ),
    workerProblem: new ReadGauge(
      {
        name: 'bridge_worker_problem',
        help: "Why this worker copy is unhealthy: 1 with the problem's code as reason (starting, schema, token, identify_budget, guild, permissions, logging_in, login_failed, gateway, redis); the log and /healthz give the fix",
        labelNames: ['reason'] as const,
        registers,
      },
      async () => {
        const health = collectors.health?.();
        return health && !health.ok ? [{ value: 1, labels: { reason: health.code } }] : [];
      },
    ),
    redisConnected: new ReadGauge(
      {
        name: 'bridge_redis_connected',
        help: "Whether this process's Redis connection is ready (1) or not (0)",
        registers,
      },
      async () => (collectors.redisReady ? [{ value: collectors.redisReady() ? 1 : 0 }] : []),
    ),
  };
}

/** A gauge exported only once it has been set (prom-client would export 0 until then). */
function valueGauge(config: { name: string; help: string; registers: Registry[] }) {
  let value: number | undefined;
  new ReadGauge(config, async () => (value === undefined ? [] : [{ value }]));
  return {
    set: (v: number) => {
      value = v;
    },
  };
}

/** A single sample read with `read`, none when there is no reader or it fails or is late. */
async function one(read: (() => Promise<number>) | undefined): Promise<Sample<never>[]> {
  if (!read) return [];
  const value = await within(READ_TIMEOUT_MS, read());
  return value === undefined ? [] : [{ value }];
}

export type Metrics = ReturnType<typeof createMetrics>;
