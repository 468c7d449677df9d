import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  apiConfigSchema,
  ConfigError,
  createProducerRedis,
  createWorkerRedis,
  parseEnv,
  parseRedisUrl,
  RedisUrlError,
  redisUrlOf,
  workerConfigSchema,
} from '../src/index.ts';

const apiEnv = { FACEIT_WEBHOOK_SECRET: 'a-long-enough-secret' };

function problems(env: Record<string, string>): string[] {
  try {
    parseEnv(apiConfigSchema, { ...apiEnv, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('REDIS_URL naming a Redis Cluster', () => {
  it('reads the seed nodes, credentials and TLS of a cluster URL', () => {
    expect(parseRedisUrl('redis+cluster://10.0.0.1:7000,redis-b.internal:7001/')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-b.internal', port: 7001 },
      ],
      tls: false,
    });
    expect(parseRedisUrl('rediss+cluster://app:p%40ss@[::1]:7000')).toEqual({
      kind: 'cluster',
      nodes: [{ host: '::1', port: 7000 }],
      username: 'app',
      password: 'p@ss',
      tls: true,
    });
    expect(parseRedisUrl('redis://:secret@127.0.0.1:6379/2')).toEqual({
      kind: 'single',
      url: 'redis://:secret@127.0.0.1:6379/2',
    });
  });

  it.each([
    ['redis+cluster://', /no cluster node/],
    ['redis+cluster://host-without-port', /"host-without-port" is not host:port/],
    ['redis+cluster://a:7000,b:99999', /"b:99999" is not host:port/],
    ['redis+cluster://a:7000/1', /only database 0/],
    ['redis+cluster://a:7000?tls=true', /no query string/],
    ['cluster://a:7000', /redis\+cluster:\/\//],
  ])('refuses %s with a specific reason', (url, reason) => {
    expect(() => parseRedisUrl(url)).toThrow(RedisUrlError);
    expect(() => parseRedisUrl(url)).toThrow(reason);
    const lines = problems({ REDIS_URL: url });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^REDIS_URL: /);
    expect(lines[0]).toMatch(reason);
  });

  it('never echoes a password in a problem', () => {
    const lines = problems({ REDIS_URL: 'redis+cluster://u:hunter2hunter2@a:7000/3' });
    expect(lines.join('\n')).not.toContain('hunter2');
  });

  it('takes REDIS_CLUSTER_NODES as the same cluster, and refuses both at once', () => {
    const c = parseEnv(apiConfigSchema, { ...apiEnv, REDIS_CLUSTER_NODES: '127.0.0.1:7000, 127.0.0.1:7001' });
    expect(redisUrlOf(c)).toBe('redis+cluster://127.0.0.1:7000,127.0.0.1:7001');
    expect(problems({ REDIS_CLUSTER_NODES: '127.0.0.1' })).toEqual([
      'REDIS_CLUSTER_NODES: cluster node "127.0.0.1" is not host:port (port 1–65535)',
    ]);
    const both = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: '127.0.0.1:7000' };
    expect(problems(both)).toEqual([
      expect.stringMatching(/^REDIS_CLUSTER_NODES: and REDIS_URL are both set/),
    ]);
    expect(() =>
      parseEnv(workerConfigSchema, {
        SUPABASE_URL: 'http://127.0.0.1:54321',
        SUPABASE_SERVICE_ROLE_KEY: 'service-role-key-xxxxxxxxxxxx',
        DISCORD_TOKEN: 'discord-token-value',
        FACEIT_API_KEY: 'faceit-api-key',
        FACEIT_CLIENT_ID: 'client',
        FACEIT_CLIENT_SECRET: 'client-secret',
        FACEIT_REDIRECT_URI: 'https://bridge.example.org/faceit/callback',
        ...both,
      }),
    ).toThrow(/REDIS_CLUSTER_NODES: and REDIS_URL are both set/);
  });

  it('makes a Cluster client for a cluster URL (credentials and TLS on every node), a plain one otherwise', () => {
    const producer = createProducerRedis('rediss+cluster://app:pw@h1:7000,h2:7001', { lazyConnect: true });
    const worker = createWorkerRedis('redis+cluster://h1:7000', { lazyConnect: true });
    const single = createProducerRedis('redis://127.0.0.1:6379', { lazyConnect: true });
    try {
      expect(producer).toBeInstanceOf(Cluster);
      if (!(producer instanceof Cluster) || !(worker instanceof Cluster)) return;
      expect(producer.options.redisOptions).toMatchObject({
        username: 'app',
        password: 'pw',
        tls: {},
        maxRetriesPerRequest: 1,
      });
      expect(producer.options.enableOfflineQueue).toBe(false);
      // BullMQ's requirement for its workers' connections.
      expect(worker.options.redisOptions?.maxRetriesPerRequest).toBeNull();
      expect(single).toBeInstanceOf(Redis);
    } finally {
      for (const c of [producer, worker, single]) c.disconnect();
    }
  });
});
