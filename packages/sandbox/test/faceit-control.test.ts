import { afterEach, describe, expect, it } from 'vitest';
import {
  type FaceitEmulator,
  type Match,
  type Player,
  startFaceitEmulator,
  startWebhookReceiver,
  type WebhookEnvelope,
  type WebhookReceiver,
} from '../src/faceit/index.ts';

let emu: FaceitEmulator | undefined;
let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await emu?.close();
  await receiver?.close();
  emu = receiver = undefined;
});

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${emu?.controlUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: JSON from the control API
  return { status: res.status, body: (await res.json()) as any };
}

describe('FACEIT control API', () => {
  it('seeds, changes and delivers a match over HTTP, as the demo would', async () => {
    emu = await startFaceitEmulator({ apiKey: 'demo-key' });
    receiver = await startWebhookReceiver();
    const config = (await call('GET', '/config')).body;
    expect(config).toMatchObject({ dataApiUrl: emu.dataApiUrl, apiKey: 'demo-key', clientId: emu.clientId });

    const players: Player[] = [];
    for (const nickname of ['a1', 'a2', 'b1', 'b2']) {
      const res = await call('POST', '/players', { nickname });
      expect(res.status).toBe(201);
      players.push(res.body);
    }
    const created = await call('POST', '/matches', {
      faction1: ['a1', 'a2'],
      faction2: [players[2]?.id, players[3]?.id],
      status: 'CONFIGURING',
    });
    expect(created.status).toBe(201);
    const match = created.body as Match;
    expect(match.factions.faction1.roster).toEqual([players[0]?.id, players[1]?.id]);

    const sub = (await call('POST', '/players', { nickname: 'sub' })).body as Player;
    const rostered = await call('POST', `/matches/${match.id}/roster`, {
      faction: 'faction2',
      players: ['b1', 'sub'],
    });
    expect(rostered.body.factions.faction2.roster).toEqual([players[2]?.id, sub.id]);
    expect(rostered.body.version).toBe(match.version + 1);

    const target = { url: receiver.url, secret: 'shh' };
    const played = await call('POST', '/webhooks/play', {
      target,
      matchId: match.id,
      events: ['match_status_ready', 'match_status_finished'],
      order: [1, 0],
      duplicates: 2,
    });
    expect(played.status).toBe(200);
    expect(played.body.map((r: { event: string; status: number }) => [r.event, r.status])).toEqual([
      ['match_status_finished', 200],
      ['match_status_finished', 200],
      ['match_status_ready', 200],
      ['match_status_ready', 200],
    ]);
    const eventId = played.body[0].eventId as string;
    const redelivered = await call('POST', '/webhooks/redeliver', { target, eventId });
    expect(redelivered.body).toMatchObject({ eventId, retryCount: 1, status: 200 });
    const hooks = await receiver.waitFor(5);
    expect(hooks.every((h) => h.headers['x-faceit-webhook-secret'] === 'shh')).toBe(true);
    expect((hooks[4]?.body as WebhookEnvelope | undefined)?.retry_count).toBe(1);

    const built = await call('POST', `/matches/${match.id}/webhook`, {
      event: 'match_object_created',
      emptyRosters: true,
    });
    expect(built.body.payload.teams[0].roster).toEqual([]);
    const delivered = await call('POST', '/webhooks/deliver', { target, envelope: built.body });
    expect(delivered.body.status).toBe(200);
    const direct = await call('POST', '/webhooks/deliver', {
      target,
      matchId: match.id,
      event: 'match_status_aborted',
    });
    expect(direct.body.envelope.payload.reason).toBeTruthy();
    expect((await call('GET', '/webhooks/log')).body).toHaveLength(7);

    const status = await call('POST', `/matches/${match.id}/status`, {
      status: 'ABORTED',
      reason: 'server crashed',
    });
    expect(status.body).toMatchObject({ status: 'ABORTED', reason: 'server crashed' });
    const fetched = await fetch(`${emu.dataApiUrl}/matches/${match.id}`, {
      headers: { authorization: 'Bearer demo-key' },
    });
    expect((await fetched.json()).status).toBe('ABORTED');
    expect((await call('GET', `/matches/${match.id}`)).body.status).toBe('ABORTED');
  });

  it('drives faults, latency, the clock, authorize and stats over HTTP', async () => {
    emu = await startFaceitEmulator();
    const redirect = 'http://127.0.0.1:4000/cb';
    expect((await call('POST', '/oauth/redirect-uris', { uri: redirect })).body.redirectUris).toEqual([
      redirect,
    ]);
    const auth = await call('POST', '/oauth/authorize', {
      redirectUri: redirect,
      state: 'xyz',
      codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGjSNdwK5k',
      nickname: 'newbie',
    });
    expect(new URL(auth.body.location).searchParams.get('state')).toBe('xyz');

    await call('POST', '/faults', { route: 'oauth.token', kind: 'status', status: 502, times: 1 });
    const faults = await call('POST', '/latency', { route: 'data.*', ms: 1 });
    expect(faults.body.faults).toHaveLength(1);
    expect(faults.body.latency).toEqual({ 'data.*': 1 });
    const token = await fetch(emu.tokenUrl, { method: 'POST' });
    expect(token.status).toBe(502);
    expect((await token.json()).error).toBe('server_error');
    expect((await call('DELETE', '/faults')).body).toEqual({ faults: [], latency: {} });

    const before = emu.now();
    await call('POST', '/clock', { advanceMs: 3_600_000 });
    expect(emu.now() - before).toBeGreaterThanOrEqual(3_600_000);

    const stats = (await call('GET', '/stats')).body;
    expect(stats).toMatchObject({ requests: 1, tokenRequests: 1, faultsInjected: 1, codesIssued: 1 });
    expect(stats.controlRequests).toBeGreaterThan(0);
  });

  it('answers bad input with 400 and unknown things with 404', async () => {
    emu = await startFaceitEmulator();
    const bad = await call('POST', '/players', { nick: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('nickname');
    expect((await call('POST', '/matches', { faction1: ['ghost'], faction2: [] })).status).toBe(400);
    expect(
      (await call('POST', '/matches/1-00000000-0000-0000-0000-000000000000/status', { status: 'READY' }))
        .status,
    ).toBe(404);
    expect((await call('POST', '/matches/x/status', { status: 'WHATEVER' })).status).toBe(400);
    expect((await call('GET', '/nope')).status).toBe(404);
    expect(
      (
        await call('POST', '/webhooks/redeliver', {
          target: { url: 'http://127.0.0.1:1/', secret: 's' },
          eventId: 'e',
        })
      ).status,
    ).toBe(404);
  });
});
