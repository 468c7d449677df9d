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
  // Events rather than `for await`: the async iterator costs a promise per chunk and more per request.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      cleanup();
      incoming.pause();
      reject(new BodyTooLargeError(limit));
    };
    const onEnd = () => {
      cleanup();
      resolve(
        chunks.length === 1
          ? (chunks[0] as Buffer).toString('utf8')
          : Buffer.concat(chunks, size).toString('utf8'),
      );
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
  });
}
