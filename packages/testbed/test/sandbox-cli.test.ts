import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAppProcess } from '../src/process.ts';

describe('pnpm sandbox', () => {
  it('runs both emulators and prints working URLs and credentials', async () => {
    const proc = startAppProcess(join(import.meta.dirname, '../../sandbox/src/cli.ts'), {
      SANDBOX_DISCORD_PORT: '0',
      SANDBOX_FACEIT_PORT: '0',
    });
    try {
      const ready = await proc.waitForLine((l) => l.raw === 'Ctrl-C to stop.', 'sandbox banner');
      expect(ready).toBeDefined();
      const env = Object.fromEntries(
        proc.lines
          .map((l) => String(l.raw ?? ''))
          .filter((l) => /^[A-Z_]+=/.test(l))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      const gateway = await fetch(`${env.DISCORD_API_URL}/v10/gateway/bot`, {
        headers: { authorization: `Bot ${env.DISCORD_TOKEN}` },
      });
      expect(gateway.status).toBe(200);
      const players = await fetch(`${env.FACEIT_API_URL}/players?nickname=player1`, {
        headers: { authorization: `Bearer ${env.FACEIT_API_KEY}` },
      });
      expect((await players.json()).nickname).toBe('player1');
      expect(env.DISCORD_GUILD_ID).toMatch(/^\d{17,20}$/);
    } finally {
      await proc.kill('SIGTERM');
    }
  });
});
