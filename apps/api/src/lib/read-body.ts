import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

export class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`body is over ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * Reads the request body as text, refusing more than `limit` bytes (declared or streamed).
 *
 * Hand-written rather than hono/body-limit: that middleware touches `c.req.raw.body`, which makes
 * @hono/node-server build a full WHATWG Request per call — about a third of the webhook's CPU in a
 * profile. On Node we read the IncomingMessage directly; elsewhere (tests via app.request) the Request.
 */
export async function readBodyLimited(c: Context, limit: number): Promise<string> {
  const declared = Number(c.req.header('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError(limit);
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming) {
    const buf = await c.req.arrayBuffer();
    if (buf.byteLength > limit) throw new BodyTooLargeError(limit);
    return new TextDecoder().decode(buf);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}
