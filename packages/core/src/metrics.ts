import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

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

/** What some gauges read at scrape time: the queues' counts, the number of active matches. */
export interface MetricsCollectors {
  queues?: CountableQueue[];
  activeMatches?: () => Promise<number>;
  /** Webhooks accepted but not yet turned into jobs by a relay. */
  intakeBacklog?: () => Promise<number>;
}

/**
 * The bridge's Prometheus metrics. Each app makes its own registry (label `app`), so two apps in one
 * test process never share counters; both apps define the same names, and each fills what it does.
 */
export function createMetrics(app: 'api' | 'worker', collectors: MetricsCollectors = {}) {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    webhooks: new Counter({
      name: 'bridge_webhooks_total',
      help: 'FACEIT webhook deliveries by event and outcome (accepted, ignored, invalid, unauthorized, too_large, unavailable)',
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
    jobDuration: new Histogram({
      name: 'bridge_job_duration_seconds',
      help: 'Time from a job starting to it finishing, by queue and name',
      labelNames: ['queue', 'name'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    queueJobs: new Gauge({
      name: 'bridge_queue_jobs',
      help: 'Jobs per queue and state, read from Redis at scrape time',
      labelNames: ['queue', 'state'] as const,
      registers,
      async collect() {
        const all = await Promise.all(
          (collectors.queues ?? []).map(
            async (q) => [q.name, await q.getJobCounts(...QUEUE_STATES)] as const,
          ),
        );
        for (const [queue, counts] of all)
          for (const [state, n] of Object.entries(counts)) this.set({ queue, state }, n);
      },
    }),
    intakeBacklog: new Gauge({
      name: 'bridge_intake_backlog',
      help: 'Accepted webhooks waiting in the intake stream for a worker to turn them into jobs',
      registers,
      async collect() {
        if (collectors.intakeBacklog) this.set(await collectors.intakeBacklog());
      },
    }),
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
      help: 'Discord rate limits met (waited out by discord.js), by route and scope',
      labelNames: ['route', 'global'] as const,
      registers,
    }),
    gatewayShardsHeld: new Gauge({
      name: 'bridge_gateway_shards_held',
      help: 'Discord gateway shards this worker copy holds (their leases); summed over copies it should equal the shard count',
      registers,
    }),
    gatewaySessions: new Counter({
      name: 'bridge_gateway_sessions_total',
      help: 'Gateway sessions started by this copy, by how (resume: continued a session from Redis; identify: a new session, spends the daily budget)',
      labelNames: ['kind'] as const,
      registers,
    }),
    gatewayIdentifyRemaining: new Gauge({
      name: 'bridge_gateway_identify_remaining',
      help: "IDENTIFYs left in Discord's daily budget (session_start_limit.remaining), as last read before an IDENTIFY",
      registers,
    }),
    faceitRequests: new Counter({
      name: 'bridge_faceit_requests_total',
      help: 'FACEIT Data API responses by route and status (0 = network error); 429s are rate limits met',
      labelNames: ['route', 'status'] as const,
      registers,
    }),
    activeMatches: new Gauge({
      name: 'bridge_active_matches',
      help: 'Matches with live voice channels, counted once per guild they are in; read from the database at scrape time',
      registers,
      async collect() {
        if (collectors.activeMatches) this.set(await collectors.activeMatches());
      },
    }),
    linkAttempts: new Counter({
      name: 'bridge_link_attempts_total',
      help: 'Account link attempts by method (oauth, nickname) and outcome',
      labelNames: ['method', 'outcome'] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
