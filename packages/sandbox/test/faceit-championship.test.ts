import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CHAMPIONSHIP_TIMELINE,
  type FaceitEmulator,
  startFaceitEmulator,
  startWebhookReceiver,
  type WebhookEnvelope,
} from '../src/faceit/index.ts';
import { shapeProblems } from '../src/faceit/shape.ts';

// The emulator against our fixtures modelled on real championship captures (fixtures/faceit-samples,
// modelled__*): the same keys, types, key order and meaningful values, and the captured room's timeline.
const sample = (name: string): Record<string, unknown> =>
  JSON.parse(
    readFileSync(new URL(`../../../fixtures/faceit-samples/modelled__${name}`, import.meta.url), 'utf8'),
  );
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function championship(o: { status?: 'SCHEDULED' } = { status: 'SCHEDULED' }) {
  const emu = await startFaceitEmulator();
  cleanups.push(() => emu.close());
  const p = (tag: string, n: number) =>
    Array.from({ length: n }, (_, i) => emu.seedPlayer({ nickname: `${tag}${i}` }).id);
  const [a, aBench, b, bBench] = [p('a', 5), p('as', 1), p('b', 5), p('bs', 2)];
  const match = emu.seedMatch({
    competitionType: 'championship',
    factionNames: ['Aurora', 'Boreal'],
    bestOf: 2,
    ...o,
    faction1: a,
    faction2: b,
    substitutes: {
      faction1: aBench.map((id) => ({ player: id })),
      faction2: bBench.map((id) => ({ player: id })),
    },
  });
  return { emu, match, a, aBench, b, bBench };
}

async function dataApi(emu: FaceitEmulator, id: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${emu.dataApiUrl}/matches/${id}`, {
    headers: { authorization: `Bearer ${emu.apiKey}` },
  });
  return (await res.json()) as Record<string, unknown>;
}

describe('a championship match as the captures show it', () => {
  it('object_created has no teams; the Data API answers SCHEDULED with rosters and scheduled_at', async () => {
    const { emu, match } = await championship();
    const created = emu.buildWebhook(match.id, 'match_object_created');
    const model = sample('championship_match_object_created.json');
    expect(shapeProblems(model, created)).toEqual([]);
    expect(Object.keys(created.payload)).toEqual(Object.keys(model.payload as object));
    expect(created.payload).not.toHaveProperty('teams');
    const scheduled = await dataApi(emu, match.id);
    expect(shapeProblems(sample('championship_data-api_scheduled.json'), scheduled)).toEqual([]);
    expect(scheduled).toMatchObject({ status: 'SCHEDULED', best_of: 2, calculate_elo: false });
    expect(scheduled).not.toHaveProperty('voting');
    expect(scheduled).not.toHaveProperty('demo_url');
  });

  it('a roster swap shows at configuring (substitutions: 1, the player out on the bench)', async () => {
    const { emu, match, a, aBench } = await championship();
    emu.swapPlayer(match.id, 'faction1', a[4]!, aBench[0]!);
    emu.setStatus(match.id, 'CONFIGURING');
    const configuring = emu.buildWebhook(match.id, 'match_status_configuring');
    expect(shapeProblems(sample('championship_match_status_configuring.json'), configuring)).toEqual([]);
    const team = configuring.payload.teams?.[0];
    expect(team).toMatchObject({ type: 'premade', co_leader_id: '', substitutions: 1 });
    expect(team?.roster.map((p) => p.id)).toContain(aBench[0]);
    expect(team?.substitutes?.map((p) => p.id)).toContain(a[4]);
  });

  it('a forfeit: the finish carries the epoch as started_at; the Data API has no start and 1–0 placeholders', async () => {
    const { emu, match } = await championship();
    emu.setStatus(match.id, 'CONFIGURING');
    emu.setStatus(match.id, 'READY');
    emu.setStatus(match.id, 'FINISHED', { forfeit: true, winner: 'faction2' });
    const finished = emu.buildWebhook(match.id, 'match_status_finished');
    expect(shapeProblems(sample('championship_match_status_finished_forfeit.json'), finished)).toEqual([]);
    expect(finished.payload.started_at).toBe('1970-01-01T00:00:00Z');
    expect(finished.payload.teams?.[1]?.substitutes?.[0]).toMatchObject({ playing: false });
    const data = await dataApi(emu, match.id);
    expect(shapeProblems(sample('championship_data-api_finished_forfeit.json'), data)).toEqual([]);
    expect(data).not.toHaveProperty('started_at');
    expect(data).not.toHaveProperty('demo_url');
    expect(data.results).toEqual({ winner: 'faction2', score: { faction2: 2, faction1: 0 } });
    expect(data.detailed_results).toHaveLength(2);
  });

  it('a cancel carries reason MANUAL, players and afk (ids), in the captured key order', async () => {
    const { emu, match, b } = await championship();
    emu.setStatus(match.id, 'CONFIGURING');
    emu.setStatus(match.id, 'CANCELLED', { afk: [b[0]!] });
    const cancelled = emu.buildWebhook(match.id, 'match_status_cancelled');
    const model = sample('championship_match_status_cancelled_manual.json');
    expect(shapeProblems(model, cancelled)).toEqual([]);
    expect(Object.keys(cancelled.payload)).toEqual(Object.keys(model.payload as object));
    expect(cancelled.payload).toMatchObject({ reason: 'MANUAL', players: [], afk: [b[0]] });
  });

  it('one demo_ready per map (<match>-<map>-<instance>); between maps the Data API has the map’s score', async () => {
    const { emu, match } = await championship();
    // Forfeited, then replayed (the captured room): the Data API keeps the forfeit's finished_at meanwhile.
    emu.setStatus(match.id, 'CONFIGURING');
    emu.setStatus(match.id, 'FINISHED', { forfeit: true });
    emu.setStatus(match.id, 'CONFIGURING');
    emu.setStatus(match.id, 'READY');
    expect(() => emu.buildWebhook(match.id, 'match_demo_ready')).toThrow(/finish the map first/);
    emu.finishMap(match.id, { winner: 'faction1', score: { faction1: 13, faction2: 8 } });
    const demo = emu.buildWebhook(match.id, 'match_demo_ready');
    const model = sample('championship_match_demo_ready_map1.json');
    expect(shapeProblems(model, demo)).toEqual([]);
    expect(Object.keys(demo.payload)).toEqual(Object.keys(model.payload as object));
    // Map 1, played on the room's second server instance (one before the forfeit, one on the replay).
    expect(demo.payload.demo_url).toBe(
      `https://demos-europe-central.backblaze.faceit-cdn.net/cs2/${match.id}-1-2.dem.zst`,
    );
    expect(demo.payload.teams?.[0]?.roster[0]).not.toHaveProperty('anticheat_required');
    expect(demo.payload.teams?.[0]?.substitutes).toEqual([]);
    const between = await dataApi(emu, match.id);
    expect(shapeProblems(sample('championship_data-api_ready_after_map1.json'), between)).toEqual([]);
    expect(between).toMatchObject({
      status: 'READY',
      results: { winner: 'faction1', score: { faction1: 13, faction2: 8 } },
      demo_url: [demo.payload.demo_url],
    });
    emu.setStatus(match.id, 'CONFIGURING');
    emu.setStatus(match.id, 'READY');
    emu.finishMap(match.id, { winner: 'faction2', score: { faction1: 14, faction2: 16 } });
    emu.setStatus(match.id, 'FINISHED');
    expect(emu.buildWebhook(match.id, 'match_demo_ready').payload.demo_url).toMatch(/-2-1\.dem\.zst$/);
    const final = await dataApi(emu, match.id);
    // A drawn BO2 still names a winner (the captures: 1–1, faction1), with both maps' scores.
    expect(final).toMatchObject({
      status: 'FINISHED',
      results: { winner: 'faction1', score: { faction1: 1, faction2: 1 } },
    });
    expect(final.detailed_results).toHaveLength(2);
  });

  it('a restart replays the room: results go, finished_at stays until the replay ends', async () => {
    const { emu, match } = await championship();
    emu.setStatus(match.id, 'CONFIGURING');
    emu.setStatus(match.id, 'FINISHED', { forfeit: true });
    const forfeitAt = (await dataApi(emu, match.id)).finished_at;
    emu.advanceTime(5 * 60_000);
    emu.setStatus(match.id, 'CONFIGURING');
    const replay = await dataApi(emu, match.id);
    expect(replay).toMatchObject({ status: 'CONFIGURING', finished_at: forfeitAt });
    expect(replay).not.toHaveProperty('results');
    expect(replay).not.toHaveProperty('detailed_results');
  });
});

describe('the captured championship timeline, on the emulator clock', () => {
  it('plays the 19 events in the captured order and gaps, with the Data API in the captured states', async () => {
    const { emu, match } = await championship();
    const receiver = await startWebhookReceiver();
    cleanups.push(() => receiver.close());
    const model = sample('championship_timeline.json') as unknown as {
      event: string;
      received_at: string;
      payload_version: number;
      data_api_status: string;
    }[];
    expect(CHAMPIONSHIP_TIMELINE.map((s) => s.event)).toEqual(model.map((m) => m.event));
    const target = { url: receiver.url, secret: 's3cret' };
    const t0 = emu.now();
    const statuses: string[] = [];
    const times: number[] = [];
    // Step by step, as a test waiting on the bridge between steps plays it.
    for (const step of CHAMPIONSHIP_TIMELINE) {
      const [d] = await emu.playTimeline(target, match.id, { until: step.name });
      statuses.push(String((await dataApi(emu, match.id)).status));
      times.push(Date.parse(d?.result.envelope.timestamp ?? ''));
    }
    await receiver.waitFor(19);
    const sent = receiver.received.map((h) => h.body as WebhookEnvelope);
    expect(sent.map((e) => e.event)).toEqual(model.map((m) => m.event));
    expect(statuses).toEqual(model.map((m) => m.data_api_status));
    // The gaps between deliveries are the captured ones (the last is a copy: its timestamp is the forfeit's).
    const gaps = (ts: number[]) => ts.slice(1).map((t, i) => t - (ts[i] as number));
    const modelTimes = model.map((m) => Date.parse(m.received_at));
    // Timestamps are whole seconds of a clock that also runs on its own meanwhile: within a second.
    const drift = gaps(times.slice(0, 18)).map((g, i) =>
      Math.abs(g - (gaps(modelTimes.slice(0, 18))[i] ?? 0)),
    );
    expect(Math.max(...drift)).toBeLessThanOrEqual(1000);
    expect(Math.abs((times[0] ?? 0) - t0)).toBeLessThanOrEqual(1000);
    // Versions grow, except the copy at the end, which is the forfeit's envelope byte for byte.
    const versions = sent.map((e) => e.payload.version);
    expect(versions.slice(0, 18)).toEqual([...versions.slice(0, 18)].sort((x, y) => x - y));
    expect(sent[18]).toEqual(sent[3]);
    expect(sent[3]?.payload.started_at).toBe('1970-01-01T00:00:00Z');
    // One demo per map: map 1 played on its fifth server instance, map 2 on its second (as captured).
    expect(sent[14]?.payload.demo_url).toMatch(new RegExp(`${match.id}-1-5\\.dem\\.zst$`));
    expect(sent[17]?.payload.demo_url).toMatch(new RegExp(`${match.id}-2-2\\.dem\\.zst$`));
    // The roster changed between creation and configuring, and again on the replay.
    expect(sent[1]?.payload.teams?.[0]?.substitutions).toBe(1);
    expect(await emu.playTimeline(target, match.id)).toEqual([]);
  });
});
