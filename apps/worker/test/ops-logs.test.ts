import { matchJobId } from '@bridge/core';
import { startStack, waitFor } from '@bridge/testbed';
import { describe, expect, it } from 'vitest';
import { seedLinkedPlayers, waitForChannels, waitForNoChannels } from './matches-helpers.ts';

describe('logs an operator can follow', () => {
  it('carry the match id, event id and job id on every line about a match, in the API and the worker', async () => {
    const stack = await startStack({
      workers: 1,
      apiEnv: { LOG_LEVEL: 'info' },
      workerEnv: { LOG_LEVEL: 'info' },
    });
    try {
      const [a, b] = await seedLinkedPlayers(stack, 'logs', 2);
      const match = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [b!.faceitId] });
      const sent = await stack.faceit.play(stack.webhook, match.id, ['match_status_ready']);
      await waitForChannels(stack, match.id);
      sent.push(...(await stack.faceit.play(stack.webhook, match.id, ['match_status_finished'])));
      await waitForNoChannels(stack, match.id);
      // The worker's last lines about the finish can still be in the pipe when the channels are gone.
      const jobIds = sent.map((d) => matchJobId(match.id, d.event, d.envelope.payload.version));
      await waitFor(
        () =>
          jobIds.every((jobId) =>
            stack.workers[0]!.lines.some((l) => l.jobId === jobId && l.msg === 'job done'),
          ),
        { what: "the worker's 'job done' line for every delivery" },
      );

      const apiLines = stack.apis[0]!.proc.lines.filter((l) => l.matchId === match.id);
      const workerLines = stack.workers[0]!.lines.filter((l) => l.matchId === match.id);
      expect(apiLines.length).toBe(2);
      expect(workerLines.length).toBeGreaterThan(4);
      for (const line of [...apiLines, ...workerLines]) {
        expect(line, JSON.stringify(line)).toMatchObject({
          eventId: expect.any(String),
          jobId: expect.stringContaining(match.id),
        });
      }
      // Both sides name the same deliveries and jobs: one jq filter follows the match end to end.
      for (const d of sent) {
        const jobId = matchJobId(match.id, d.event, d.envelope.payload.version);
        expect(apiLines.some((l) => l.eventId === d.eventId && l.jobId === jobId)).toBe(true);
        expect(workerLines.some((l) => l.eventId === d.eventId && l.jobId === jobId)).toBe(true);
      }
      // JSON lines (production format), no secret in them.
      const all = JSON.stringify([...stack.apis[0]!.proc.lines, ...stack.workers[0]!.lines]);
      expect(all).not.toContain(stack.webhookSecret);
      expect(all).not.toContain(stack.supabase.serviceRoleKey);
      expect(all).not.toContain(stack.discord.botToken);
    } finally {
      await stack.stop();
    }
  });
});
