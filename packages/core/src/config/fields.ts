import { z } from 'zod';
import { clusterUrlFromNodes, parseClusterNodes, parseRedisUrl, RedisUrlError } from '../redis/target.ts';

// Building blocks shared by the per-app schemas, so both apps read a variable the same way.

export const logLevel = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  .default('info');
export const nodeEnv = z.enum(['production', 'development', 'test']).default('production');

/** Unset: the local default; read it through `redisUrlOf`, which also folds in REDIS_CLUSTER_NODES. */
export const redisUrl = z.string().superRefine(redisProblem(parseRedisUrl)).optional();

/** `host:port,host:port`: the seed nodes of a Redis Cluster, instead of a `redis+cluster://` REDIS_URL. */
export const redisClusterNodes = z.string().superRefine(redisProblem(parseClusterNodes)).optional();

function redisProblem(parse: (value: string) => unknown) {
  return (value: string, ctx: z.RefinementCtx) => {
    try {
      parse(value);
    } catch (err) {
      if (!(err instanceof RedisUrlError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
    }
  };
}

/** For an app schema: REDIS_URL and REDIS_CLUSTER_NODES both name where Redis is, so only one may be set. */
export const oneRedisTarget: [
  (c: { REDIS_URL?: string | undefined; REDIS_CLUSTER_NODES?: string | undefined }) => boolean,
  { message: string; path: string[]; when: () => boolean },
] = [
  (c) => !(c?.REDIS_URL && c?.REDIS_CLUSTER_NODES),
  {
    message: 'and REDIS_URL are both set: set one (a cluster URL is redis+cluster://host:port,host:port)',
    path: ['REDIS_CLUSTER_NODES'],
    // Reported even when other variables are wrong too: one run shows every problem.
    when: () => true,
  },
];

/** The Redis the app connects to, as one URL (connection.ts turns a cluster URL into a Cluster client). */
export function redisUrlOf(c: {
  REDIS_URL?: string | undefined;
  REDIS_CLUSTER_NODES?: string | undefined;
}): string {
  if (c.REDIS_CLUSTER_NODES) return clusterUrlFromNodes(c.REDIS_CLUSTER_NODES);
  return c.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/**
 * Prefix of every Redis key. On a cluster each group of keys (a queue, the intake stream, …) gets a hash tag
 * of its own after it (redis/keys.ts); a prefix wrapped in {} instead pins every key to one slot.
 */
export const queuePrefix = z
  .string()
  .regex(/^[A-Za-z0-9_{}.-]+$/, 'may contain only letters, digits, _ - . { }')
  .default('bull');

export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

export const port = z.coerce
  .number({ error: 'must be a port number' })
  .int()
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

export const positiveInt = z.coerce.number({ error: 'must be a number' }).int().positive('must be > 0');

/** Discord ids are 17–20 digit snowflakes. */
export const snowflake = z.string().regex(/^\d{17,20}$/, 'must be a Discord id (17–20 digits)');

const ID = /^\d{17,20}$/;
const ids = (v: string) => v.split(',').map((id) => id.trim());

/** A comma-separated list of Discord ids (spaces allowed around the commas), as a list. */
export const snowflakeList = z
  .string()
  .refine((v) => ids(v).every((id) => ID.test(id)), 'must be Discord ids (17–20 digits) separated by commas')
  .transform(ids);

/** `*` (any guild) or a comma-separated list of guild ids. */
export const guildList = z
  .string()
  .refine(
    (v) => v.trim() === '*' || ids(v).every((id) => ID.test(id)),
    'must be * or guild ids (17–20 digits) separated by commas',
  )
  .transform((v): 'any' | string[] => (v.trim() === '*' ? 'any' : ids(v)));

/** A secret: long enough, and not a placeholder such as earlier .env.example files' `change-me-…`. */
export const secret = (min = 1) =>
  z
    .string()
    .min(min, `must be at least ${min} characters`)
    .refine((value) => !/^change[-_ ]?me/i.test(value), {
      message:
        'is still the placeholder from .env.example: set a random value (`./run gen-keys` writes one into .env)',
    });

/** 127.0.0.0/8, ::1, localhost: addresses FACEIT's redirect cannot reach a player's browser on. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '::1' ||
    host === '0.0.0.0' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}
