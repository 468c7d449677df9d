// What an operator's Prometheus scrapes, from the real processes (an API and two worker copies): a match's
// latency, a create put back for Discord's daily cap, a refused webhook, and the deployment-wide gauges
// exported by one copy only.
import {
  type AppProcess,
  type MetricSample,
  parseExposition,
  type Stack,
  scrape,
  workerMetricsUrl,
} from '@bridge/testbed';
import { describe, expect } from 'vitest';
import { seedLinkedPlayers, stackTest, waitFor, waitForChannels } from './matches-helpers.ts';

// Two channel creations a day in the guild: the first match takes them, the second meets the cap.
const test = stackTest({ workers: 2, discord: { limits: { channelCreatesPerDay: 2 } } });

/** Every process's samples: the API's and each worker copy's, scraped now. */
async function scrapeAll(stack: Stack): Promise<{ api: MetricSample[]; workers: MetricSample[][] }> {
  const api = parseExposition(await scrape(stack.apis[0]!.metricsUrl));
  const workers = await Promise.all(
    stack.workers.map(async (w: AppProcess) => parseExposition(await scrape(await workerMetricsUrl(w)))),
  );
  return { api, workers };
}

const named = (samples: MetricSample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
const total = (samples: MetricSample[]) => samples.reduce((n, s) => n + s.value, 0);

describe('metrics of a running deployment', () => {
  test('latency per match, the daily cap, a refused webhook; deployment-wide gauges exported once', async ({
    stack,
  }) => {
    const [a, b] = await seedLinkedPlayers(stack, 'mon', 2);
    stack.discord.setVoice(stack.guildId, a!.discordId, stack.guild.channels.Lobby!);
    stack.discord.setVoice(stack.guildId, b!.discordId, stack.guild.channels.Lobby!);
    const first = stack.faceit.seedMatch({ faction1: [a!.faceitId], faction2: [b!.faceitId] });
    const t0 = Date.now();
    await stack.faceit.play(stack.webhook, first.id, ['match_status_ready']);
    await waitForChannels(stack, first.id);
    await stack.discord.waitForState(
      stack.guildId,
      (s) =>
        s.voiceStates[a!.discordId] !== stack.guild.channels.Lobby &&
        s.voiceStates[b!.discordId] !== stack.guild.channels.Lobby
          ? true
          : undefined,
      30_000,
    );
    // One observation for the match's ready event (on whichever copy built it), within what the test saw.
    const ready = { event: 'match_status_ready' };
    const observed = await waitFor(
      async () => {
        const { workers } = await scrapeAll(stack);
        const count = total(workers.flatMap((w) => named(w, 'bridge_match_ready_seconds_count', ready)));
        return count === 1 ? workers : undefined;
      },
      { what: 'the ready latency observed once' },
    );
    // Received after t0, observed before the scrape that saw it.
    const bound = (Date.now() - t0) / 1000;
    const seconds = total(observed.flatMap((w) => named(w, 'bridge_match_ready_seconds_sum', ready)));
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(bound);

    // The guild's two creations of the day are spent: the next match's create is put back for hours.
    const unlinked = [
      stack.faceit.seedPlayer({ nickname: 'mon_x' }),
      stack.faceit.seedPlayer({ nickname: 'mon_y' }),
    ];
    const second = stack.faceit.seedMatch({ faction1: [unlinked[0]!.id], faction2: [unlinked[1]!.id] });
    await stack.faceit.play(stack.webhook, second.id, ['match_status_ready']);
    await waitFor(
      async () => {
        const { workers } = await scrapeAll(stack);
        return (
          total(workers.flatMap((w) => named(w, 'bridge_jobs_deferred_total', { cause: 'daily_cap' }))) >= 1
        );
      },
      { what: 'the create counted as deferred for the daily cap', timeoutMs: 60_000 },
    );

    // A delivery with the wrong secret (what a mistyped secret in App Studio sends).
    const refused = await fetch(stack.webhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [stack.webhook.header]: 'not-the-secret-at-all' },
      body: '{}',
    });
    expect(refused.status).toBe(401);

    const { api, workers } = await scrapeAll(stack);
    expect(total(named(api, 'bridge_webhooks_total', { outcome: 'unauthorized' }))).toBe(1);
    // Each deployment-wide gauge has one sample in the whole deployment, whichever copy exports it.
    const everyone = [api, ...workers];
    const once = (name: string, labels: Record<string, string> = {}) => {
      const found = everyone.flatMap((s) => named(s, name, labels));
      expect(found, name).toHaveLength(1);
      return found[0]!.value;
    };
    expect(once('bridge_intake_backlog')).toBeGreaterThanOrEqual(0);
    expect(once('bridge_queue_jobs', { queue: 'matches', state: 'delayed' })).toBe(1);
    expect(once('bridge_active_matches')).toBe(1);
    expect(once('bridge_gateway_identify_remaining')).toBe(stack.discord.sessionStartLimit().remaining);
    expect(
      everyone
        .flatMap((s) => named(s, 'bridge_metrics_reporter', { group: 'queues' }))
        .map((s) => s.value)
        .sort(),
    ).toEqual([0, 0, 1]);
    // Both worker copies are ready.
    for (const w of workers) expect(named(w, 'bridge_worker_ready').map((s) => s.value)).toEqual([1]);
  });
});
