import { z } from 'zod';

// Building blocks shared by the per-app schemas, so both apps read a variable the same way.

export const logLevel = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  .default('info');
export const nodeEnv = z.enum(['production', 'development', 'test']).default('production');

export const redisUrl = z
  .string()
  .regex(/^rediss?:\/\/.+/, 'must be a redis:// or rediss:// URL')
  .default('redis://127.0.0.1:6379');

/** BullMQ key prefix. Wrapped in {} it is a Redis Cluster hash tag: all of a queue's keys on one slot. */
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

export const secret = (min = 1) => z.string().min(min, `must be at least ${min} characters`);
