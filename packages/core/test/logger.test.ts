import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/index.ts';

describe('logger', () => {
  it('writes JSON and redacts secrets, tokens, codes and verifiers', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = createLogger({ name: 'test', destination });
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
    const out = lines.join('');
    const entry = JSON.parse(out);
    expect(entry).toMatchObject({ msg: 'hello', matchId: '1-abc', app: 'test' });
    for (const secret of ['T0KEN', 'C0DE', 'VER1F1ER', 'ACCESS', 'XYZ', 'S3CRET', 'CLIENTSECRET']) {
      expect(out).not.toContain(secret);
    }
    expect(entry.config.PORT).toBe(3000);
  });
});
