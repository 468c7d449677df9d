import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * Who is asking, for per-client limits. With no proxy in front (`hops` 0) it is the socket's address:
 * X-Forwarded-For is anyone's to write, so it is ignored. Behind `hops` proxies that each append the
 * address they saw to X-Forwarded-For, the client is the entry the outermost trusted proxy appended
 * (counted from the right), as Express' `trust proxy = <n>` does; entries further left were written by
 * the client and are never trusted.
 */
export function clientAddress(c: Context, hops: number): string {
  const socket = socketAddress(c);
  if (hops <= 0) return socket;
  const chain = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  // [socket, last proxy's entry, …]: the n-th hop's view, or the furthest one there is.
  const fromNearest = [socket, ...chain.reverse()];
  return fromNearest[Math.min(hops, fromNearest.length - 1)] ?? socket;
}

function socketAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // app.request() in a test has no socket.
    return 'unknown';
  }
}
