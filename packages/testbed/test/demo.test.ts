import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAppProcess } from '../src/process.ts';

describe('./run demo', () => {
  it('links two players by OAuth and one by nickname, plays a match end to end and cleans up', async () => {
    const demo = startAppProcess(
      join(import.meta.dirname, '../../../scripts/demo.ts'),
      {},
      { args: ['--once'] },
    );
    try {
      const code = await demo.exited;
      const out = demo.lines.map((l) => String(l.raw ?? JSON.stringify(l))).join('\n');
      expect(code, `${out}\n${demo.stderr.join('')}`).toBe(0);
      expect(out).toMatch(/start page says: "You are linking your FACEIT account to Discord user @alice"/);
      expect(out).toMatch(/callback page says: "Account linked"/);
      expect(out).toMatch(/player_links: alice \(oauth\), bob \(oauth\), carol \(nickname\)/);
      expect(out).toMatch(/alice is now in #match-[0-9a-f]{8}-faction1, bob in #match-[0-9a-f]{8}-faction2/);
      expect(out).toMatch(/carol connects to General later → moved to #match-[0-9a-f]{8}-faction1/);
      expect(out).toMatch(/players moved back: alice → #Lobby, bob → #Lobby, carol → #Lobby/);
      expect(out).toMatch(/active_matches rows left for the match: 0/);
      expect(out).toMatch(/│ Not in voice yet: @carol/);
      expect(out).toMatch(/team channels' voice status: "de_\w+ · live"/);
      expect(out).toMatch(/│ 🏁 Finished · de_\w+: \*\*team_alice\*\* wins 13–10/);
      expect(out).toMatch(/│ team_bob: `L\d+` @bob \(−25 ELO\)/);
      // What Prometheus saw of the match, and where the monitoring profile's dashboard would be.
      expect(out).toMatch(/metrics: the ready event's channels and moves took \d+\.\d\d s after the webhook/);
      expect(out).toMatch(
        /docker compose --profile monitoring up -d`? serves Grafana at http:\/\/127\.0\.0\.1:\d+/,
      );
    } finally {
      // On a timeout the demo would otherwise keep its stack running.
      await demo.kill('SIGTERM');
    }
  });
});
