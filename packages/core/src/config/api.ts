import { z } from 'zod';
import {
  logLevel,
  nodeEnv,
  oneRedisTarget,
  port,
  positiveInt,
  queuePrefix,
  redisClusterNodes,
  redisUrl,
  secret,
} from './fields.ts';

/** Everything apps/api reads from the environment. */
export const apiConfigSchema = z
  .object({
    NODE_ENV: nodeEnv,
    LOG_LEVEL: logLevel,
    PORT: port.default(3000),
    HOST: z.string().default('0.0.0.0'),
    /** The internal listener for `/metrics` (not the public PORT); never publish it. */
    API_METRICS_PORT: port.default(9465),
    REDIS_URL: redisUrl,
    REDIS_CLUSTER_NODES: redisClusterNodes,
    QUEUE_PREFIX: queuePrefix,
    FACEIT_WEBHOOK_SECRET: secret(16),
    FACEIT_WEBHOOK_HEADER: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name')
      .transform((h) => h.toLowerCase())
      .default('x-faceit-webhook-secret'),
    /** Query parameter that may carry the secret instead of the header (App Studio's second slot); unset = header only. */
    FACEIT_WEBHOOK_QUERY_PARAM: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, 'must be a query parameter name (letters, digits, _ . -)')
      .optional(),
    /**
     * Webhooks accepted but not yet turned into jobs by a worker, at most: past it the API answers 503
     * and FACEIT redelivers later, instead of Redis filling up while no worker relays.
     */
    INTAKE_BACKLOG_LIMIT: positiveInt.default(100_000),
    /** How long the OAuth callback page waits for the link job before saying a DM will follow. */
    LINK_RESULT_WAIT_MS: positiveInt.default(5000),
    /**
     * How many proxies in front of the API append to X-Forwarded-For; the client (for the dashboard's
     * wrong-password window) is the address the outermost of them saw. 0: the socket's address.
     */
    TRUSTED_PROXY_HOPS: z.coerce.number({ error: 'must be a number' }).int().min(0).max(10).default(0),
    ADMIN_USER: z.string().min(1).optional(),
    ADMIN_PASSWORD: secret(12).optional(),
  })
  .refine((c) => Boolean(c?.ADMIN_USER) === Boolean(c?.ADMIN_PASSWORD), {
    message: 'ADMIN_USER and ADMIN_PASSWORD must be set together (or both unset to turn the dashboard off)',
    path: ['ADMIN_PASSWORD'],
    // Report this even when other variables are wrong too: one run shows every problem.
    when: () => true,
  })
  .refine(...oneRedisTarget);

export type ApiConfig = z.infer<typeof apiConfigSchema>;
