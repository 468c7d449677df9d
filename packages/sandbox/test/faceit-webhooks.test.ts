import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startFaceitEmulator,
  startWebhookReceiver,
  type WebhookEnvelope,
  type WebhookReceiver,
} from '../src/faceit/index.ts';
import { shapeProblems } from '../src/faceit/shape.ts';

const sample = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../../fixtures/faceit-samples/${name}`, import.meta.url), 'utf8'));
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const SECRET = 's3cret';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup(respond?: (index: number) => number) {
  const emu = await startFaceitEmulator();
  cleanups.push(() => emu.close());
  const receiver = await startWebhookReceiver(respond ? { respond: (_h, i) => respond(i) } : {});
  cleanups.push(() => receiver.close());
  const players = Array.from({ length: 10 }, (_, i) => emu.seedPlayer({ nickname: `p${i}` }));
  const match = emu.seedMatch({
    faction1: players.slice(0, 5).map((p) => p.id),
    faction2: players.slice(5).map((p) => p.id),
  });
  return { emu, receiver, players, match, target: { url: receiver.url, secret: SECRET } };
}

const bodies = (r: WebhookReceiver) => r.received.map((h) => h.body as WebhookEnvelope);

describe('FACEIT webhooks', () => {
  it('builds match_status_ready and match_status_finished envelopes with the real keys and types', async () => {
    const { emu, match, players } = await setup();
    emu.setStatus(match.id, 'READY');
    const ready = emu.buildWebhook(match.id, 'match_status_ready');
    expect(shapeProblems(sample('match_status_ready__nhamonin_faceit-statistics.json'), ready)).toEqual([]);
    expect(ready.payload.teams).toHaveLength(2);
    expect(ready.payload.teams?.[0]?.roster.map((p) => p.id)).toEqual(players.slice(0, 5).map((p) => p.id));
    expect(ready.payload.teams?.[0]?.id).toBe(players[0]?.id);
    expect(ready.payload.teams?.[0]?.leader_id).toBe(players[0]?.id);
    expect(ready.payload.teams?.[0]?.name).toBe('team_p0');
    expect(ready.timestamp).toMatch(RFC3339);
    expect(ready.payload.created_at).toMatch(RFC3339);
    expect(ready.retry_count).toBe(0);
    expect(ready.version).toBe(1);

    emu.setStatus(match.id, 'FINISHED');
    const finished = emu.buildWebhook(match.id, 'match_status_finished');
    expect(shapeProblems(sample('match_status_finished__ubqm_botesee.json'), finished)).toEqual([]);
    expect(finished.payload.started_at).toMatch(RFC3339);
    expect(finished.payload.finished_at).toMatch(RFC3339);
    expect(finished.payload.version).toBeGreaterThan(ready.payload.version);
    expect(finished.payload).not.toHaveProperty('results');
    expect(finished.event_id).not.toBe(ready.event_id);
  });

  it('adds reason on cancelled/aborted and can send created with empty rosters or no teams', async () => {
    const { emu, match } = await setup();
    emu.setStatus(match.id, 'CANCELLED', { reason: 'admin' });
    expect(emu.buildWebhook(match.id, 'match_status_cancelled').payload.reason).toBe('admin');
    expect(typeof emu.buildWebhook(match.id, 'match_status_aborted').payload.reason).toBe('string');
    const created = emu.buildWebhook(match.id, 'match_object_created', { emptyRosters: true });
    expect(created.payload.teams?.map((t) => t.roster)).toEqual([[], []]);
    expect(
      emu.buildWebhook(match.id, 'match_object_created', { omitTeams: true }).payload,
    ).not.toHaveProperty('teams');
    expect(emu.buildWebhook(match.id, 'match_status_ready').payload).not.toHaveProperty('reason');
  });

  it('delivers with the secret header, under a custom header name too', async () => {
    const { emu, receiver, match, target } = await setup();
    const envelope = emu.buildWebhook(match.id, 'match_status_configuring');
    const result = await emu.deliver(target, envelope);
    expect(result).toMatchObject({ status: 200, body: 'ok', eventId: envelope.event_id, retryCount: 0 });
    await emu.deliver({ ...target, header: 'X-Cat-Dog' }, envelope);
    const [first, second] = await receiver.waitFor(2);
    expect(first?.method).toBe('POST');
    expect(first?.headers['x-faceit-webhook-secret']).toBe(SECRET);
    expect(first?.headers['content-type']).toBe('application/json');
    expect(first?.body).toEqual(envelope);
    expect(second?.headers['x-cat-dog']).toBe(SECRET);
    expect(second?.headers).not.toHaveProperty('x-faceit-webhook-secret');
  });

  it('sends the secret as a query parameter instead of a header when the target names one', async () => {
    const { emu, receiver, match, target } = await setup();
    const envelope = emu.buildWebhook(match.id, 'match_status_ready');
    const url = `${receiver.url}/faceit-webhook?source=faceit`;
    expect((await emu.deliver({ ...target, url, query: 'auth' }, envelope)).status).toBe(200);
    // Over the control API too.
    const res = await fetch(`${emu.controlUrl}/webhooks/deliver`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target: { ...target, url, query: 'token' }, envelope }),
    });
    expect(res.status).toBe(200);
    const [first, second] = await receiver.waitFor(2);
    const q1 = new URL(first?.path ?? '', 'http://x');
    expect(q1.pathname).toMatch(/\/faceit-webhook$/);
    expect(q1.searchParams.get('auth')).toBe(SECRET);
    expect(q1.searchParams.get('source')).toBe('faceit');
    expect(first?.headers).not.toHaveProperty('x-faceit-webhook-secret');
    expect(new URL(second?.path ?? '', 'http://x').searchParams.get('token')).toBe(SECRET);
    expect(second?.headers).not.toHaveProperty('x-faceit-webhook-secret');
  });

  it('redelivers with the same event_id and transaction_id and retry_count + 1', async () => {
    const { emu, receiver, match, target } = await setup();
    const envelope = emu.buildWebhook(match.id, 'match_status_ready');
    const first = await emu.deliver(target, envelope);
    const again = await emu.redeliver(target, first.envelope);
    const third = await emu.redeliver(target, again.envelope);
    expect(third.retryCount).toBe(2);
    const [a, b, c] = bodies(receiver);
    expect(b?.event_id).toBe(a?.event_id);
    expect(b?.transaction_id).toBe(a?.transaction_id);
    expect([a?.retry_count, b?.retry_count, c?.retry_count]).toEqual([0, 1, 2]);
    expect(b?.payload).toEqual(a?.payload);
    expect(emu.lastDelivered(envelope.event_id)?.retry_count).toBe(2);
  });

  it('plays events in a chosen order, versions following the lifecycle', async () => {
    const { emu, receiver, match, target } = await setup();
    const results = await emu.play(
      target,
      match.id,
      ['match_status_configuring', 'match_status_ready', 'match_status_finished'],
      { order: [2, 0, 1] },
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    const got = bodies(receiver);
    expect(got.map((b) => b.event)).toEqual([
      'match_status_finished',
      'match_status_configuring',
      'match_status_ready',
    ]);
    const [finished, configuring, ready] = got.map((b) => b.payload.version);
    expect(configuring).toBeLessThan(ready as number);
    expect(ready).toBeLessThan(finished as number);
    expect(emu.getMatch(match.id).status).toBe('FINISHED');
  });

  it('sends duplicates, identical or with fresh ids, one after another or concurrently', async () => {
    const { emu, receiver, match, target } = await setup();
    await emu.play(target, match.id, ['match_status_ready'], { duplicates: 3 });
    const same = bodies(receiver);
    expect(same).toHaveLength(3);
    expect(new Set(same.map((b) => JSON.stringify(b))).size).toBe(1);

    await emu.play(target, match.id, ['match_status_ready'], { duplicates: 2, duplicateStyle: 'new-ids' });
    const fresh = bodies(receiver).slice(3);
    expect(fresh[0]?.event_id).not.toBe(fresh[1]?.event_id);
    expect(fresh[0]?.payload).toEqual(fresh[1]?.payload);

    const results = await emu.play(target, match.id, ['match_status_finished'], {
      duplicates: 5,
      concurrent: true,
    });
    expect(results).toHaveLength(5);
    const all = await receiver.waitFor(10);
    expect(all.slice(5).every((h) => (h.body as WebhookEnvelope).event === 'match_status_finished')).toBe(
      true,
    );
  });

  it('retries a non-2xx answer as a redelivery and reports an unreachable receiver as status 0', async () => {
    const { emu, receiver, match, target } = await setup((i) => (i === 0 ? 503 : 200));
    const results = await emu.play(target, match.id, ['match_status_ready'], { retries: 3 });
    expect(results.map((r) => [r.status, r.retryCount])).toEqual([
      [503, 0],
      [200, 1],
    ]);
    expect(bodies(receiver).map((b) => b.retry_count)).toEqual([0, 1]);
    const url = receiver.url;
    await receiver.close();
    const failed = await emu.deliver(
      { url, secret: SECRET },
      emu.buildWebhook(match.id, 'match_status_ready'),
    );
    expect(failed.status).toBe(0);
    expect(failed.error).toBeTruthy();
    expect(emu.stats().webhooksDelivered).toBe(3);
  });

  it('a hub match carries its hub id and organizer in the webhook and the Data API, like the real fields', async () => {
    const { emu, players } = await setup();
    const hubId = '7a3c1f0e-5b8d-4c2a-9e6f-1d2b3c4d5e6f';
    const organizerId = '0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c6b';
    const hub = emu.seedMatch({
      faction1: players.slice(0, 5).map((p) => p.id),
      faction2: players.slice(5).map((p) => p.id),
      competitionType: 'hub',
      competitionId: hubId,
      organizerId,
    });
    const ready = emu.buildWebhook(hub.id, 'match_status_ready');
    expect(shapeProblems(sample('match_status_ready__nhamonin_faceit-statistics.json'), ready)).toEqual([]);
    expect(ready.payload.entity).toEqual({ id: hubId, name: 'Sandbox Hub', type: 'hub' });
    expect(ready.payload.organizer_id).toBe(organizerId);
    const res = await fetch(`${emu.dataApiUrl}/matches/${hub.id}`, {
      headers: { authorization: `Bearer ${emu.apiKey}` },
    });
    expect(await res.json()).toMatchObject({
      competition_type: 'hub',
      competition_id: hubId,
      competition_name: 'Sandbox Hub',
      organizer_id: organizerId,
    });
    // Matchmaking stays FACEIT's own: organizer 'faceit', as in the real ready sample.
    const mm = emu.seedMatch({ faction1: [players[0]!.id], faction2: [players[5]!.id] });
    expect(emu.buildWebhook(mm.id, 'match_status_ready').payload).toMatchObject({
      organizer_id: 'faceit',
      entity: { type: 'matchmaking' },
    });
  });

  it('shows a substitution in the next webhook', async () => {
    const { emu, match, players } = await setup();
    const sub = emu.seedPlayer({ nickname: 'sub' });
    const before = emu.buildWebhook(match.id, 'match_status_ready');
    emu.setRoster(match.id, 'faction1', [sub.id, ...players.slice(1, 5).map((p) => p.id)]);
    const after = emu.buildWebhook(match.id, 'match_status_ready');
    expect(after.payload.version).toBe(before.payload.version + 1);
    const team = after.payload.teams?.[0];
    expect(team?.roster.map((p) => p.nickname)).toContain('sub');
    expect(team?.substitutions).toBe(1);
    expect(team?.id).toBe(players[0]?.id); // the faction keeps its id
    expect(team?.leader_id).toBe(sub.id); // the old captain left
  });
});
