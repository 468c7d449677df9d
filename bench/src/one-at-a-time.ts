import { deliveredJobId, type Stack, settledJob, waitFor } from '@bridge/testbed';
import { seedReadyMatch } from './seed.ts';

type Seeded = Awaited<ReturnType<typeof seedReadyMatch>>;

/**
 * Runs `count` READY matches one at a time, as the latency benchmark and the profile see them. Players wait
 * in the lobby before their match is ready (as in a hub): each match's players connect while the match
 * before it is cleaned up, not in the measured window. One warm-up match comes first (`index` -1: not to
 * be recorded; its players connected just before it, and the processes are cold). After each, the match is
 * finished and the next starts only once its clean-up job is done, so that neither the clean-up nor its
 * rate-limit buckets overlap the next match.
 */
export async function oneMatchAtATime(
  stack: Stack,
  count: number,
  run: (seeded: Seeded, index: number) => Promise<void>,
): Promise<void> {
  const { discord, faceit, guildId } = stack;
  let next = await seedReadyMatch(stack, 0);
  for (let m = -1; m < count; m++) {
    const seeded = next;
    await run(seeded, m);
    next = await seedReadyMatch(stack, m + 2);
    const { match } = seeded;
    // FACEIT ends the match (the bridge acts on a finish the Data API confirms), then says so.
    faceit.setStatus(match.id, 'FINISHED');
    await faceit.deliver(stack.webhook, faceit.buildWebhook(match.id, 'match_status_finished'));
    await waitFor(
      () => !discord.state(guildId).channels.some((c) => c.createdBy === 'bot' && c.type === 'voice'),
      { what: `match ${m} cleaned up`, timeoutMs: 30_000, intervalMs: 20 },
    );
    await settledJob(stack, 'cleanup', deliveredJobId(faceit, match.id, 'match_status_finished'), 30_000);
  }
}

/**
 * Waits until both of the match's channels exist and each of `people` is in one of them. Checked at each
 * change of the emulator's state (not polled: a poll reads up to its interval late, and its snapshots cost
 * the emulators, which run in this process, CPU).
 */
export async function waitAllIn(stack: Stack, { match, people }: Seeded): Promise<void> {
  await stack.discord.waitForState(
    stack.guildId,
    (s) => {
      const channels = s.channels.filter(
        (c) => c.createdBy === 'bot' && c.type === 'voice' && c.name.includes(match.id.slice(2, 10)),
      );
      if (channels.length !== 2) return undefined;
      const ids = new Set(channels.map((c) => c.id));
      return people.every((p) => ids.has(s.voiceStates[p.discordId] ?? '')) || undefined;
    },
    30_000,
  );
}
