/**
 * What REDIS_URL names: one Redis server (`redis://`, `rediss://`, handed to ioredis as is) or a Redis
 * Cluster (`redis+cluster://host:port,host:port`, `rediss+cluster://` for TLS), whose nodes seed ioredis'
 * Cluster client (it discovers the rest from CLUSTER SLOTS).
 */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | {
      kind: 'cluster';
      nodes: { host: string; port: number }[];
      username?: string;
      password?: string;
      tls: boolean;
    };

/** A REDIS_URL (or REDIS_CLUSTER_NODES list) that cannot name a Redis; the message says what is wrong. */
export class RedisUrlError extends Error {
  override name = 'RedisUrlError';
}

const CLUSTER_SCHEME = /^(rediss?)\+cluster:\/\/(.*)$/;
const NODE = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/;

/** Parses REDIS_URL; throws RedisUrlError naming the problem (never echoing a password). */
export function parseRedisUrl(url: string): RedisTarget {
  const cluster = CLUSTER_SCHEME.exec(url);
  if (!cluster) {
    if (!/^rediss?:\/\/.+/.test(url)) {
      throw new RedisUrlError('must be a redis://, rediss://, redis+cluster:// or rediss+cluster:// URL');
    }
    return { kind: 'single', url };
  }
  const [, scheme, rest = ''] = cluster;
  const at = rest.lastIndexOf('@');
  const userinfo = at >= 0 ? rest.slice(0, at) : undefined;
  let hosts = at >= 0 ? rest.slice(at + 1) : rest;
  if (/[?#]/.test(hosts)) throw new RedisUrlError('a cluster URL takes no query string or fragment');
  hosts = hosts.replace(/\/$/, '');
  if (hosts.includes('/')) {
    // A cluster has only database 0 (SELECT is refused), so a /db path is a mistake, not a choice.
    throw new RedisUrlError('a cluster URL takes no /database: a Redis Cluster has only database 0');
  }
  const nodes = parseClusterNodes(hosts);
  const target: RedisTarget = { kind: 'cluster', nodes, tls: scheme === 'rediss' };
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    const user = decodeURIComponent(colon >= 0 ? userinfo.slice(0, colon) : userinfo);
    const password = colon >= 0 ? decodeURIComponent(userinfo.slice(colon + 1)) : undefined;
    // Like redis://: `:pass@` is a password alone; `user@` a user without one.
    if (user) target.username = user;
    if (password) target.password = password;
  }
  return target;
}

/** `host:port,host:port` (REDIS_CLUSTER_NODES, or the host part of a cluster URL). */
export function parseClusterNodes(list: string): { host: string; port: number }[] {
  const parts = list
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new RedisUrlError('names no cluster node: expected host:port[,host:port…]');
  return parts.map((part) => {
    const m = NODE.exec(part);
    const port = Number(m?.[2]);
    if (!m || port < 1 || port > 65535) {
      throw new RedisUrlError(`cluster node "${part}" is not host:port (port 1–65535)`);
    }
    return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
  });
}

/** REDIS_CLUSTER_NODES as the equivalent cluster URL, so the rest of the bridge reads one variable. */
export function clusterUrlFromNodes(list: string): string {
  const nodes = parseClusterNodes(list);
  return `redis+cluster://${nodes.map((n) => `${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`).join(',')}`;
}
