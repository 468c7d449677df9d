import { z } from 'zod';
import {
  guildList,
  httpUrl,
  isLoopbackHost,
  logLevel,
  nodeEnv,
  oneRedisTarget,
  port,
  positiveInt,
  queuePrefix,
  redisClusterNodes,
  redisUrl,
  secret,
  snowflake,
  snowflakeList,
} from './fields.ts';

/** Everything apps/worker reads from the environment. */
export const workerConfigSchema = z
  .object({
    NODE_ENV: nodeEnv,
    LOG_LEVEL: logLevel,
    REDIS_URL: redisUrl,
    REDIS_CLUSTER_NODES: redisClusterNodes,
    QUEUE_PREFIX: queuePrefix,
    SUPABASE_URL: httpUrl,
    SUPABASE_SERVICE_ROLE_KEY: secret(20),
    DISCORD_TOKEN: secret(10),
    /**
     * Single-guild mode: this guild's settings are seeded from VC_* at start-up and it follows every match.
     * Unset, the bot serves the guilds it is invited to, each configured with /setup.
     */
    DISCORD_GUILD_ID: snowflake.optional(),
    /**
     * The servers this deployment serves: `*` (any server that invites the bot) or guild ids separated by
     * commas (plus DISCORD_GUILD_ID). Unset: DISCORD_GUILD_ID only when it is set, else any server. Elsewhere
     * the bot registers no commands, refuses interactions, builds nothing, and leaves.
     */
    BRIDGE_GUILDS: guildList.optional(),
    /**
     * Operators besides the Discord application's owner (or its team): they may change anyone's link in
     * every server, verified ones included (/admin … everywhere:True).
     */
    BRIDGE_OPERATOR_IDS: snowflakeList.optional(),
    VC_CATEGORY_ID: snowflake.optional(),
    VC_LOBBY_CHANNEL_ID: snowflake.optional(),
    VC_STAFF_ROLE_ID: snowflake.optional(),
    /** Channel name; {short} = first 8 hex of the match uuid, {faction} = faction1|faction2, {team} = team name. */
    VC_NAME_TEMPLATE: z
      .string()
      .regex(/\{short\}/, 'must contain {short} so channels of different matches differ')
      .regex(/\{faction\}/, 'must contain {faction} so the two teams differ')
      .default('match-{short}-{faction}'),
    FACEIT_API_KEY: secret(10),
    FACEIT_CLIENT_ID: z.string().min(1),
    FACEIT_CLIENT_SECRET: secret(8),
    FACEIT_REDIRECT_URI: httpUrl,
    DISCORD_API_URL: httpUrl.default('https://discord.com/api'),
    FACEIT_API_URL: httpUrl.default('https://open.faceit.com/data/v4'),
    FACEIT_AUTH_URL: httpUrl.default('https://accounts.faceit.com'),
    FACEIT_TOKEN_URL: httpUrl.default('https://api.faceit.com/auth/v1/oauth/token'),
    FACEIT_USERINFO_URL: httpUrl.default('https://api.faceit.com/auth/v1/resources/userinfo'),
    /** Must keep `openid`: FACEIT's userinfo, where the bridge reads identity, answers insufficient_scope without it. */
    FACEIT_SCOPE: z
      .string()
      .refine((scope) => scope.split(/\s+/).includes('openid'), {
        message: "must include openid (FACEIT's userinfo needs it)",
      })
      .default('openid profile'),
    /** Requests per second the FACEIT Data API key may make (the real limit is 10/s). */
    FACEIT_API_RPS: positiveInt.default(10),
    /**
     * How long a slash command (or the level read after a sign-in) may wait for a slot of FACEIT's rate
     * limit, behind every match job's request, before it is answered "FACEIT is busy". 3 s is about 30
     * requests' worth at 10/s; with a slower key fewer fit. At most 10 minutes: a command's answer must
     * come within Discord's 15.
     */
    FACEIT_COMMAND_WAIT_MS: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number of milliseconds')
      .min(0, 'must be 0 or more')
      .max(600_000, 'must be at most 600000 (10 minutes)')
      .default(3000),
    WORKER_CONCURRENCY: positiveInt.default(8),
    METRICS_PORT: port.default(9464),
    /** Matches older than this are swept even if FACEIT never said they ended. */
    MATCH_MAX_AGE_HOURS: positiveInt.default(6),
    SWEEP_INTERVAL_MS: positiveInt.default(300_000),
    /** Ended matches are forgotten (state, roster, move claims) this many days after they ended. */
    MATCH_RETENTION_DAYS: positiveInt.default(7),
    /** A server that removed the bot gets its settings back when it re-invites it within this many days. */
    GUILD_RETENTION_DAYS: positiveInt.default(30),
    SHUTDOWN_TIMEOUT_MS: positiveInt.default(20_000),
    /**
     * Below this many IDENTIFYs left in Discord's 24-hour budget (1000) the worker does not log in: at 0
     * Discord resets the bot token, which stops every copy.
     */
    DISCORD_IDENTIFY_FLOOR: positiveInt.default(50),
    /**
     * The gateway's shard count (every copy must use the same); unset = what `GET /gateway/bot` recommends.
     * Each shard is held by exactly one copy (Redis leases); one copy holds them all.
     */
    DISCORD_SHARD_COUNT: positiveInt.optional(),
    /** A dead copy's shards are taken over this long after its last renewal. */
    DISCORD_SHARD_LEASE_MS: z.coerce.number().int().min(1000).max(120_000).default(15_000),
    /** First wait before the start-up checks run again after a failure; doubles up to 16×. */
    PREFLIGHT_RETRY_MS: positiveInt.default(60_000),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production') {
      // Sign-in codes, tokens and identities travel over these: never in clear in production (the
      // sandbox runs with NODE_ENV=development or test).
      for (const key of [
        'FACEIT_AUTH_URL',
        'FACEIT_TOKEN_URL',
        'FACEIT_USERINFO_URL',
        'FACEIT_REDIRECT_URI',
      ] as const) {
        if (new URL(c[key]).protocol !== 'https:') {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: 'must be an https URL when NODE_ENV=production',
          });
        }
      }
      if (isLoopbackHost(new URL(c.FACEIT_REDIRECT_URI).hostname)) {
        ctx.addIssue({
          code: 'custom',
          path: ['FACEIT_REDIRECT_URI'],
          message:
            "must be the API's public address (https://<your host>/faceit/callback), not a loopback address, when NODE_ENV=production",
        });
      }
    }
    // VC_* describe one guild's channels: without DISCORD_GUILD_ID nothing would read them.
    for (const key of ['VC_CATEGORY_ID', 'VC_LOBBY_CHANNEL_ID', 'VC_STAFF_ROLE_ID'] as const) {
      if (c[key] && !c.DISCORD_GUILD_ID) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message:
            'is set but DISCORD_GUILD_ID is not: set DISCORD_GUILD_ID (single-guild mode) or unset it and use /setup',
        });
      }
    }
  })
  .refine(...oneRedisTarget);

export type WorkerConfig = z.infer<typeof workerConfigSchema>;
