import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/index.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { log: createLogger({ name: 'test', destination }), lines, out: () => lines.join('') };
}

describe('logger', () => {
  it('writes JSON and redacts secrets, tokens, codes and verifiers', () => {
    const { log, out } = capture();
    log.info(
      {
        matchId: '1-abc',
        token: 'T0KEN',
        oauth: { code: 'C0DE', verifier: 'VER1F1ER', access_token: 'ACCESS' },
        req: { headers: { authorization: 'Bearer XYZ', 'x-faceit-webhook-secret': 'S3CRET' } },
        config: { FACEIT_CLIENT_SECRET: 'CLIENTSECRET', PORT: 3000 },
      },
      'hello',
    );
    const entry = JSON.parse(out());
    expect(entry).toMatchObject({ msg: 'hello', matchId: '1-abc', app: 'test' });
    for (const secret of ['T0KEN', 'C0DE', 'VER1F1ER', 'ACCESS', 'XYZ', 'S3CRET', 'CLIENTSECRET']) {
      expect(out()).not.toContain(secret);
    }
    expect(entry.config.PORT).toBe(3000);
  });

  it('keeps codes that are not secrets readable: a gateway close code, Discord and Node error codes', () => {
    const { log, lines } = capture();
    log.warn({ closeCode: 4014 }, 'discord gateway disconnected');
    log.warn({ code: 4004 }, 'an older line shape');
    const discord = Object.assign(new Error('Missing Permissions'), { code: 50013, status: 403 });
    log.error({ err: discord }, 'command failed');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    log.error({ err: refused }, 'redis connection error');
    const [close, older, failed, node] = lines.map((l) => JSON.parse(l));
    expect(close.closeCode).toBe(4014);
    expect(older.code).toBe(4004);
    expect(failed.err).toMatchObject({ code: 50013, status: 403, message: 'Missing Permissions' });
    expect(node.err.code).toBe('ECONNREFUSED');
  });

  it("blanks what a failed Redis command carries: ioredis' own error, with the command's arguments", async () => {
    // A real ioredis error (WRONGTYPE) for a SET whose value is a parked sign-in, as linking writes it.
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const key = `logger-test-${process.pid}-${Date.now()}`;
    let err: unknown;
    try {
      await redis.lpush(key, 'x');
      await redis
        .set(
          key,
          JSON.stringify({ discordUserId: '1', verifier: 'VER1F1ER-in-args', code: 'C0DE-in-args' }),
          'GET',
        )
        .catch((e: unknown) => {
          err = e;
        });
    } finally {
      await redis.del(key);
      redis.disconnect();
    }
    expect((err as { command?: { args: string[] } }).command?.args.join(' ')).toContain('C0DE-in-args');
    const { log, out } = capture();
    log.error({ err }, 'unhandled error');
    log.error(err as Error, 'the error as the first argument');
    expect(out()).not.toContain('C0DE-in-args');
    expect(out()).not.toContain('VER1F1ER-in-args');
    const entry = JSON.parse(out().split('\n')[0] ?? '');
    expect(entry.err.command).toEqual({ name: 'set', args: '[redacted]' });
    expect(entry.err.message).toMatch(/WRONGTYPE/);
  });

  it('blanks interaction tokens in Discord error URLs and request bodies, and secrets inside any string', () => {
    const token = `aW50ZXJhY3Rpb246${'x'.repeat(60)}`;
    const err = Object.assign(new Error('Invalid Form Body'), {
      code: 50035,
      status: 400,
      method: 'PATCH',
      url: `https://discord.com/api/v10/webhooks/123456789012345678/${token}/messages/@original`,
      requestBody: { json: { content: 'hello' } },
      cause: Object.assign(new Error(`POST /interactions/99/${token}/callback failed`), {}),
    });
    const { log, out } = capture();
    log.error({ err }, 'command failed');
    log.error({ err: `GET https://x/faceit/callback?code=C0DE-in-url&state=ST4TE failed` }, 'string error');
    log.error(
      { error: new Error('body {"access_token":"ACCESS-in-body","token_type":"bearer"}') },
      'other key',
    );
    expect(out()).not.toContain(token);
    for (const secret of ['C0DE-in-url', 'ST4TE', 'ACCESS-in-body']) expect(out()).not.toContain(secret);
    const [entry] = out()
      .split('\n')
      .map((l) => (l ? JSON.parse(l) : null));
    expect(entry.err.url).toBe(
      'https://discord.com/api/v10/webhooks/123456789012345678/:token/messages/@original',
    );
    expect(entry.err.requestBody).toBe('[redacted]');
    expect(entry.err.code).toBe(50035);
  });
});
