import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaceitEmulator, type FaceitEmulatorOptions, startFaceitEmulator } from '../src/faceit/index.ts';
import { shapeProblems } from '../src/faceit/shape.ts';

const sample = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../../../fixtures/faceit-samples/${name}`, import.meta.url), 'utf8'),
  ) as Record<
    string,
    // biome-ignore lint/suspicious/noExplicitAny: raw JSON sample
    any
  >;

let emu: FaceitEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function start(o: FaceitEmulatorOptions = {}) {
  emu = await startFaceitEmulator(o);
  return emu;
}

function seedTeams(e: FaceitEmulator) {
  const players = Array.from({ length: 10 }, (_, i) => e.seedPlayer({ nickname: `player${i}` }));
  return {
    players,
    faction1: players.slice(0, 5).map((p) => p.id),
    faction2: players.slice(5).map((p) => p.id),
  };
}

const get = (e: FaceitEmulator, path: string, key: string | null = e.apiKey) =>
  fetch(`${e.dataApiUrl}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

describe('FACEIT Data API v4', () => {
  it('requestLog(): the requests served, in the order they came, with their route and path', async () => {
    const e = await start();
    const p = e.seedPlayer({ nickname: 'logged' });
    await get(e, '/players?nickname=logged');
    await get(e, `/players/${p.id}`);
    await get(e, '/matches/1-00000000-0000-4000-8000-000000000000');
    expect(e.requestLog().map((r) => [r.route, r.path])).toEqual([
      ['data.players', '/data/v4/players?nickname=logged'],
      ['data.player', `/data/v4/players/${p.id}`],
      ['data.match', '/data/v4/matches/1-00000000-0000-4000-8000-000000000000'],
    ]);
  });

  it('serves a finished championship match with every key and type of the real response', async () => {
    const e = await start();
    const { faction1, faction2 } = seedTeams(e);
    const bench = e.seedPlayer({ nickname: 'K3v' });
    const sub = e.seedPlayer({ nickname: 'm0o-' });
    const seeded = e.seedMatch({
      faction1,
      faction2,
      competitionType: 'championship',
      factionNames: ['A', 'B'],
      // Like the real response: faction2's bench lists K3v, and m0o- who plays.
      substitutes: { faction2: [{ player: 'K3v' }, { player: sub.id, playing: true }] },
    });
    e.setStatus(seeded.id, 'FINISHED', { winner: 'faction2', score: { faction1: 7, faction2: 13 } });

    const res = await get(e, `/matches/${seeded.id}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    const real = sample('data-api-matches-match_id__philicevic_faceit-php.json');
    expect(shapeProblems(real, body)).toEqual([]);
    expect(body.teams.faction1).not.toHaveProperty('substitutes');
    expect(body.teams.faction2.substitutes).toEqual([
      expect.not.objectContaining({ playing: expect.anything() }),
      expect.objectContaining({ player_id: sub.id, nickname: 'm0o-', playing: true }),
    ]);
    expect(body.teams.faction2.substitutes[0].player_id).toBe(bench.id);
    expect(Object.keys(body.teams.faction2.substitutes[1])).toEqual(
      Object.keys(real.teams.faction2.substitutes[1]),
    );

    expect(body.match_id).toBe(seeded.id);
    expect(body.status).toBe('FINISHED');
    expect(body.competition_type).toBe('championship');
    expect(body.teams.faction1.name).toBe('A');
    expect(body.teams.faction1.roster.map((p: { player_id: string }) => p.player_id)).toEqual(faction1);
    expect(body.teams.faction2.roster.map((p: { player_id: string }) => p.player_id)).toEqual(faction2);
    expect(body.teams.faction1.faction_id).not.toBe(body.teams.faction1.leader);
    expect(body.results).toEqual({ winner: 'faction2', score: { faction1: 7, faction2: 13 } });
    for (const key of ['configured_at', 'started_at', 'finished_at', 'scheduled_at']) {
      expect(Number.isInteger(body[key])).toBe(true);
      expect(Math.abs(body[key] - Date.now() / 1000)).toBeLessThan(60);
    }
    const headers = sample('data-api-matches-match_id__philicevic_faceit-php.headers.json').headers;
    expect(res.headers.get('ratelimit-limit')).toBe(headers['ratelimit-limit']);
    expect(res.headers.get('x-faceit-ratelimit-name')).toBe(headers['x-faceit-ratelimit-name']);
    expect(res.headers.get('ratelimit-remaining')).toBe('9');
    expect(res.headers.get('ratelimit-reset')).toMatch(/^\d+$/);
  });

  it('serves a ready matchmaking match: captain ids as faction ids, no results or end time yet', async () => {
    const e = await start();
    const { faction1, faction2 } = seedTeams(e);
    const seeded = e.seedMatch({ faction1, faction2, status: 'READY' });
    const body = await (await get(e, `/matches/${seeded.id}`)).json();
    expect(body.status).toBe('READY');
    expect(body.organizer_id).toBe('faceit');
    expect(body.competition_type).toBe('matchmaking');
    expect(body.teams.faction1.faction_id).toBe(faction1[0]);
    expect(body.teams.faction1.leader).toBe(faction1[0]);
    expect(body.teams.faction2.faction_id).toBe(faction2[0]);
    expect(body.teams.faction1.name).toBe('team_player0');
    expect(Number.isInteger(body.configured_at)).toBe(true);
    expect(body).not.toHaveProperty('results');
    expect(body).not.toHaveProperty('finished_at');
    expect(body.version).toBe(1);
  });

  it('reflects substitutions and status changes with a growing version', async () => {
    const e = await start();
    const { players, faction1, faction2 } = seedTeams(e);
    const sub = e.seedPlayer({ nickname: 'sub' });
    const m = e.seedMatch({ faction1, faction2, status: 'CONFIGURING' });
    const v1 = (await (await get(e, `/matches/${m.id}`)).json()).version;
    e.setRoster(m.id, 'faction2', [...faction2.slice(0, 4), sub.id]);
    const after = await (await get(e, `/matches/${m.id}`)).json();
    expect(after.version).toBeGreaterThan(v1);
    expect(after.teams.faction2.substituted).toBe(true);
    expect(after.teams.faction2.roster.map((p: { nickname: string }) => p.nickname)).toContain('sub');
    expect(after.teams.faction2.roster.map((p: { player_id: string }) => p.player_id)).not.toContain(
      players[9]?.id,
    );
    e.setStatus(m.id, 'CANCELLED');
    const cancelled = await (await get(e, `/matches/${m.id}`)).json();
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.version).toBeGreaterThan(after.version);
  });

  it('a finished match that counts for ELO moves faceit_elo (once) and, across a bracket, skill_level', async () => {
    const e = await start();
    const win = e.seedPlayer({ nickname: 'winner', skillLevel: 4, elo: 1040 });
    const lose = e.seedPlayer({ nickname: 'loser', skillLevel: 4, elo: 1000 });
    const m = e.seedMatch({ faction1: [win.id], faction2: [lose.id], status: 'READY' });
    type Cs2 = { faceit_elo: number; skill_level: number };
    const cs2 = async (id: string) =>
      ((await (await get(e, `/players/${id}`)).json()) as { games: { cs2: Cs2 } }).games.cs2;
    expect(await cs2(win.id)).toMatchObject({ faceit_elo: 1040, skill_level: 4 });
    e.setStatus(m.id, 'FINISHED', { winner: 'faction1', eloChange: 30 });
    e.setStatus(m.id, 'FINISHED', { winner: 'faction1', eloChange: 30 });
    expect(await cs2(win.id)).toMatchObject({ faceit_elo: 1070, skill_level: 5 });
    expect(await cs2(lose.id)).toMatchObject({ faceit_elo: 970, skill_level: 4 });
    const body = (await (await get(e, `/matches/${m.id}`)).json()) as { results: unknown };
    expect(body.results).toEqual({ winner: 'faction1', score: { faction1: 13, faction2: 10 } });
    // Championship matches do not count for ELO.
    const cup = e.seedMatch({ faction1: [win.id], faction2: [lose.id], competitionType: 'championship' });
    e.setStatus(cup.id, 'FINISHED');
    expect((await cs2(win.id)).faceit_elo).toBe(1070);
  });

  it('looks players up by exact, case-sensitive nickname in the real shape', async () => {
    const e = await start();
    const darwin = e.seedPlayer({ nickname: 'Darwin', steamId64: '76561198002596349' });
    e.seedPlayer({ nickname: 'friend' });
    const res = await get(e, '/players?nickname=Darwin');
    expect(res.status).toBe(200);
    const body = await res.json();
    const real = sample('data-api-players-nickname__philicevic_faceit-php.json');
    real.games = { cs2: real.games.cs2 }; // the real player also has ten other games
    expect(shapeProblems(real, body)).toEqual([]);
    expect(body.player_id).toBe(darwin.id);
    expect(body.platforms.steam).toBe(real.platforms.steam);
    expect(body.new_steam_id).toBe(real.new_steam_id);
    expect(body.games.cs2.game_player_id).toBe('76561198002596349');

    const byId = await (await get(e, `/players/${darwin.id}`)).json();
    expect(byId.nickname).toBe('Darwin');

    const wrongCase = await get(e, '/players?nickname=darwin');
    expect(wrongCase.status).toBe(404);
    expect(await wrongCase.json()).toEqual({
      errors: [{ message: 'The resource was not found.', code: 'err_nf0', http_status: 404, parameters: [] }],
    });
  });

  it('answers 404 err_nf0 for an unknown match, with the rate-limit headers', async () => {
    const e = await start();
    const res = await get(e, '/matches/1-00000000-0000-0000-0000-000000000000');
    expect(res.status).toBe(404);
    expect(res.headers.get('ratelimit-limit')).toBe('10, 10;w=1');
    expect(await res.json()).toEqual({
      errors: [{ message: 'The resource was not found.', code: 'err_nf0', http_status: 404, parameters: [] }],
    });
  });

  it('hides a match for a while: the real 404 err_nf0 until the time is up, then the match', async () => {
    const e = await start();
    const { faction1, faction2 } = seedTeams(e);
    const seeded = e.seedMatch({ faction1, faction2 });
    e.hideMatch(seeded.id, 60_000);
    const hidden = await get(e, `/matches/${seeded.id}`);
    expect(hidden.status).toBe(404);
    const unknown = await get(e, '/matches/1-00000000-0000-0000-0000-000000000000');
    expect(await hidden.json()).toEqual(await unknown.json());
    e.advanceTime(59_000);
    expect((await get(e, `/matches/${seeded.id}`)).status).toBe(404);
    e.advanceTime(1_000);
    expect((await get(e, `/matches/${seeded.id}`)).status).toBe(200);
    // Over the control API, and 0 makes it visible again at once.
    const ctl = (ms: number) =>
      fetch(`${e.controlUrl}/matches/${seeded.id}/visibility`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ hiddenForMs: ms }),
      });
    expect((await ctl(5_000)).status).toBe(200);
    expect((await get(e, `/matches/${seeded.id}`)).status).toBe(404);
    expect((await ctl(0)).status).toBe(200);
    expect((await get(e, `/matches/${seeded.id}`)).status).toBe(200);
    expect((await ctl(-1)).status).toBe(400);
  });

  it('a forced 404 fault answers with the real err_nf0 body', async () => {
    const e = await start();
    const { faction1, faction2 } = seedTeams(e);
    const seeded = e.seedMatch({ faction1, faction2 });
    e.setFault({ route: 'data.match', kind: 'status', status: 404, times: 1 });
    const res = await get(e, `/matches/${seeded.id}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      errors: [{ message: 'The resource was not found.', code: 'err_nf0', http_status: 404, parameters: [] }],
    });
    expect((await get(e, `/matches/${seeded.id}`)).status).toBe(200);
  });

  it('serves a bye: that faction has id "bye", an empty roster and no players to seed', async () => {
    const e = await start();
    const { faction1 } = seedTeams(e);
    const seeded = e.seedMatch({ faction1, faction2: [], bye: 'faction2', competitionType: 'championship' });
    const body = await (await get(e, `/matches/${seeded.id}`)).json();
    expect(body.teams.faction2).toMatchObject({ faction_id: 'bye', leader: 'bye', name: 'bye', roster: [] });
    expect(body.teams.faction1.roster).toHaveLength(5);
    const hook = e.buildWebhook(seeded.id, 'match_status_ready');
    expect(hook.payload.teams?.[1]).toMatchObject({
      id: 'bye',
      leader_id: 'bye',
      roster: [],
      substitutes: null,
    });
    expect(() => e.seedMatch({ faction1, faction2: [faction1[0] as string], bye: 'faction2' })).toThrow(
      /faction2 is a bye: it has no players/,
    );
    const res = await fetch(`${e.controlUrl}/matches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ faction1: [], faction2: [], bye: 'faction3' }),
    });
    expect(res.status).toBe(400);
  });

  it('lists substitutes in the webhook teams too, and refuses one already on the roster', async () => {
    const e = await start();
    const { faction1, faction2, players } = seedTeams(e);
    const extra = e.seedPlayer({ nickname: 'bench1' });
    const seeded = e.seedMatch({ faction1, faction2, substitutes: { faction1: [{ player: 'bench1' }] } });
    const hook = e.buildWebhook(seeded.id, 'match_status_ready');
    expect(hook.payload.teams?.[0]?.substitutes?.map((p) => p.id)).toEqual([extra.id]);
    expect(hook.payload.teams?.[1]?.substitutes).toBeNull();
    expect(() =>
      e.seedMatch({ faction1, faction2, substitutes: { faction1: [{ player: players[0]?.id as string }] } }),
    ).toThrow(/on the faction1 roster already/);
  });

  it('refuses a missing or wrong API key with 401 in the errors[] envelope', async () => {
    const e = await start({ apiKey: 'right-key' });
    const m = e.seedMatch({ faction1: [], faction2: [] });
    for (const key of [null, 'wrong-key']) {
      const res = await get(e, `/matches/${m.id}`, key);
      expect(res.status).toBe(401);
      expect(res.headers.get('x-faceit-ratelimit-name')).toBe('gateway-open-faceit-ratelimit');
      const body = await res.json();
      expect(body.errors[0]).toMatchObject({ http_status: 401, parameters: [] });
      expect(typeof body.errors[0].code).toBe('string');
    }
    expect((await get(e, `/matches/${m.id}`, 'right-key')).status).toBe(200);
  });

  it('answers 429 with Retry-After past 10 requests in one second for a key, then recovers', async () => {
    let t = 1_700_000_000_000;
    const e = await start({ now: () => t });
    const m = e.seedMatch({ faction1: [], faction2: [] });
    const remaining: string[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await get(e, `/matches/${m.id}`);
      expect(res.status).toBe(200);
      remaining.push(res.headers.get('ratelimit-remaining') ?? '');
    }
    expect(remaining).toEqual(['9', '8', '7', '6', '5', '4', '3', '2', '1', '0']);
    const limited = await get(e, `/matches/${m.id}`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.headers.get('ratelimit-limit')).toBe('10, 10;w=1');
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('x-faceit-ratelimit-name')).toBe('gateway-open-faceit-ratelimit');
    expect((await limited.json()).errors[0]).toMatchObject({
      code: 'err_too_many_requests',
      http_status: 429,
    });
    expect(e.stats().rateLimited).toBe(1);
    t += 1000;
    expect((await get(e, `/matches/${m.id}`)).status).toBe(200);
  });

  it('honours a custom rate limit', async () => {
    const e = await start({ rateLimitPerSecond: 2, now: () => 0 });
    expect((await get(e, '/players?nickname=x')).headers.get('ratelimit-limit')).toBe('2, 2;w=1');
    expect((await get(e, '/players?nickname=x')).status).toBe(404);
    expect((await get(e, '/players?nickname=x')).status).toBe(429);
  });

  it('injects status, rate-limit and hang faults, and counts requests per route', async () => {
    const e = await start();
    const m = e.seedMatch({ faction1: [], faction2: [] });
    e.setFault({ route: 'data.match', kind: 'status', status: 503, times: 1 });
    const failed = await get(e, `/matches/${m.id}`);
    expect(failed.status).toBe(503);
    expect((await failed.json()).errors[0].http_status).toBe(503);
    expect((await get(e, `/matches/${m.id}`)).status).toBe(200);

    e.setFault({ route: 'data.*', kind: 'ratelimit', retryAfter: 7, times: 1 });
    const limited = await get(e, '/players?nickname=nobody');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');

    e.setFault({ route: 'data.match', kind: 'hang' });
    const abort = new AbortController();
    const hung = fetch(`${e.dataApiUrl}/matches/${m.id}`, {
      headers: { authorization: `Bearer ${e.apiKey}` },
      signal: abort.signal,
    });
    await e.waitForRequest('data.match', 3);
    abort.abort();
    await expect(hung).rejects.toThrow();
    e.clearFaults();
    e.setLatency('*', 5);
    expect((await get(e, `/matches/${m.id}`)).status).toBe(200);

    const stats = e.stats();
    expect(stats.byRoute['data.match']).toBe(4);
    expect(stats.byRoute['data.players']).toBe(1);
    expect(stats.requests).toBe(5);
    expect(stats.faultsInjected).toBe(3);
  });
});
