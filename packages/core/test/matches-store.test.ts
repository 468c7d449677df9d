import { type LocalSupabase, startLocalSupabase } from '@bridge/testbed';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSupabase, GuildStore, MatchStore, StoreError } from '../src/index.ts';

// The lifecycle's atomic decisions, through supabase-js → real PostgREST → Postgres.
let sb: LocalSupabase;
let store: MatchStore;
beforeAll(async () => {
  sb = await startLocalSupabase();
  store = new MatchStore(createSupabase(sb.url, sb.serviceRoleKey));
});
afterAll(async () => {
  await sb?.stop();
});

/** The guilds in which the match has channel rows, sorted. */
const guildsWithRows = async (matchId: string) =>
  [...new Set((await store.rows(matchId)).map((r) => r.guild_id))].sort();

describe('MatchStore against real PostgREST', () => {
  it('the ended marker is never revived by a later event', async () => {
    expect(await store.touch('1-m1', 'match_object_created', 1)).toBe('active');
    expect(await store.isEnded('1-m1')).toBe(false);
    await store.end('1-m1', 'match_status_finished');
    expect(await store.touch('1-m1', 'match_status_ready', 3)).toBe('ended');
    await store.end('1-m1', 'match_status_cancelled');
    const [row] = await sb.query('select status, ended_reason from match_states where match_id = $1', [
      '1-m1',
    ]);
    expect(row).toEqual({ status: 'ended', ended_reason: 'match_status_finished' });
    expect((await store.listActive()).map((m) => m.match_id)).not.toContain('1-m1');
  });

  it('a restart re-opens an ended match only for an event newer than the end, once its rows are gone', async () => {
    const at = (t: string) => new Date(`2026-01-29T${t}Z`);
    const state = await store.touchState('1-rs', 'match_status_ready', 10);
    expect(state).toMatchObject({ status: 'active', live: false, ended: null, reopens: 0 });
    await store.markLive('1-rs');
    expect((await store.state('1-rs'))?.live).toBe(true);
    await store.endBy('1-rs', 'match_status_finished', { version: 12, at: at('18:10:00') }, 'job-fin');
    // A second end (a copy) keeps the first one's record.
    await store.endBy('1-rs', 'match_status_cancelled', { version: 14, at: at('18:11:00') }, 'job-other');
    expect(await store.state('1-rs')).toMatchObject({
      status: 'ended',
      ended: { version: 12, at: at('18:10:00') },
    });
    // Not newer than the end: by version when both have one, else by time.
    expect((await store.reopen('1-rs', { version: 11, at: at('18:20:00') })).result).toBe('stale');
    expect((await store.reopen('1-rs', { version: null, at: at('18:09:59') })).result).toBe('stale');
    // The previous cycle's channel rows are still there: wait for its clean-up.
    await sb.query(
      `insert into active_matches (match_id, faction, guild_id, voice_channel_id) values ('1-rs', 'faction1', '100000000000000001', '200000000000000001')`,
    );
    await sb.query(`insert into match_moves (match_id, guild_id, discord_id) values ('1-rs', 'g', 'u')`);
    expect((await store.reopen('1-rs', { version: 13, at: at('18:15:27') })).result).toBe('busy');
    await sb.query(`delete from active_matches where match_id = '1-rs'`);
    expect(await store.reopen('1-rs', { version: 13, at: at('18:15:27') })).toEqual({
      result: 'reopened',
      endedJob: 'job-fin',
      cycle: 1,
    });
    expect((await store.reopen('1-rs', { version: 13, at: at('18:15:27') })).result).toBe('active');
    expect(await store.state('1-rs')).toMatchObject({
      status: 'active',
      live: false,
      ended: null,
      reopened: { version: 13, at: at('18:15:27') },
      reopens: 1,
    });
    // Players may be moved again in the new cycle.
    expect(await sb.query(`select * from match_moves where match_id = '1-rs'`)).toHaveLength(0);
  });

  it("the sweep's list says since when a match is live: never for a scheduled one, from its rows for an older worker's", async () => {
    await store.touchState('1-sched', 'match_object_created', 1);
    await store.touchState('1-old', 'match_status_ready', 3);
    await sb.query(
      `insert into active_matches (match_id, faction, guild_id, voice_channel_id, created_at) values ('1-old', 'faction1', '100000000000000001', '200000000000000009', now() - interval '2 hours')`,
    );
    const live = new Map((await store.listLive()).map((m) => [m.match_id, m.live_since]));
    expect(live.get('1-sched')).toBeNull();
    expect(Date.now() - new Date(live.get('1-old') ?? 0).getTime()).toBeGreaterThan(7_000_000);
    await sb.query(`delete from active_matches where match_id = '1-old'`);
  });

  it('counts a streak of sweeps that got a 404, timed by the database, until the match is read again', async () => {
    await store.touch('1-m404', 'match_status_ready', 1);
    expect(await store.noteMissing('1-m404')).toEqual({ sweeps: 1, forMs: 0 });
    // As if that first 404 was 31 minutes ago.
    await sb.query(
      `update match_states set missing_since = now() - interval '31 minutes' where match_id = $1`,
      ['1-m404'],
    );
    const second = await store.noteMissing('1-m404');
    expect(second.sweeps).toBe(2);
    expect(second.forMs).toBeGreaterThanOrEqual(31 * 60_000);
    expect(second.forMs).toBeLessThan(32 * 60_000);
    await store.clearMissing('1-m404');
    expect(await store.noteMissing('1-m404')).toEqual({ sweeps: 1, forMs: 0 });
  });

  it('a move claim is granted once, across concurrent callers, and can be given back', async () => {
    const holders = Array.from({ length: 8 }, (_, i) => `job-${i}`);
    const results = await Promise.all(holders.map((h) => store.claimMove('1-m2', 'g', 'u1', h, 30)));
    expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r === 'held')).toHaveLength(7);
    const holder = holders[results.indexOf('claimed')]!;
    await store.unclaimMove('1-m2', 'g', 'u1', 'someone-else');
    expect(await store.claimMove('1-m2', 'g', 'u1', 'z', 30)).toBe('held');
    await store.unclaimMove('1-m2', 'g', 'u1', holder);
    expect(await store.claimMove('1-m2', 'g', 'u1', 'z', 30)).toBe('claimed');
  });

  it('a move claim is a lease: re-taken by its holder, taken over once it lapses, final once moved', async () => {
    expect(await store.claimMove('1-m5', 'g', 'u1', 'dead', 30)).toBe('claimed');
    // The same holder (the job retried after its worker died) re-takes it at once.
    expect(await store.claimMove('1-m5', 'g', 'u1', 'dead', 30)).toBe('claimed');
    expect(await store.claimMove('1-m5', 'g', 'u1', 'alive', 30)).toBe('held');
    // A holder that died between the claim and the move: its claim lapses and is taken over.
    expect(await store.claimMove('1-m6', 'g', 'u1', 'dead', 0)).toBe('claimed');
    expect(await store.claimMove('1-m6', 'g', 'u1', 'alive', 30)).toBe('claimed');
    expect(await store.confirmMove('1-m6', 'g', 'u1', 'dead')).toBe(false);
    expect(await store.confirmMove('1-m6', 'g', 'u1', 'alive')).toBe(true);
    // Made: final for everyone (a player who walked out is not dragged back), and never given back.
    expect(await store.claimMove('1-m6', 'g', 'u1', 'alive', 30)).toBe('done');
    expect(await store.claimMove('1-m6', 'g', 'u1', 'late', 0)).toBe('done');
    await store.unclaimMove('1-m6', 'g', 'u1');
    expect(await store.claimMove('1-m6', 'g', 'u1', 'late', 30)).toBe('done');
    // An expired claim that was made final meanwhile stays final.
    expect(await store.claimMove('1-m7', 'g', 'u1', 'slow', 0)).toBe('claimed');
    expect(await store.confirmMove('1-m7', 'g', 'u1', 'slow')).toBe(true);
    expect(await store.claimMove('1-m7', 'g', 'u1', 'other', 30)).toBe('done');
  });

  it('a lease has one holder at a time, is re-entrant for that holder, and is released', async () => {
    const takes = await Promise.all(['a', 'b', 'c', 'd'].map((h) => store.takeLease('k1', h, 60)));
    expect(takes.filter(Boolean)).toHaveLength(1);
    const holder = ['a', 'b', 'c', 'd'][takes.indexOf(true)]!;
    expect(await store.takeLease('k1', holder, 60)).toBe(true);
    await store.releaseLease('k1', 'someone-else');
    expect(await store.takeLease('k1', 'z', 60)).toBe(false);
    await store.releaseLease('k1', holder);
    expect(await store.takeLease('k1', 'z', 60)).toBe(true);
    // An expired lease (holder died) is taken over.
    expect(await store.takeLease('k2', 'dead', 0)).toBe(true);
    expect(await store.takeLease('k2', 'alive', 60)).toBe(true);
  });

  it('reads who may have a live team channel per gateway shard or per guild, with the links about them', async () => {
    // Two guilds on shards 0 and 1 of 2 (Discord: (guild_id >> 22) % shards).
    const on = (shard: number) => ((BigInt(400_000_000_000 + shard) << 22n) | 3n).toString();
    await sb.query(
      `insert into player_links (discord_id, faceit_id, faceit_nickname, verified_method) values ('ld1','lf1','n1','oauth')`,
    );
    await store.touch('1-live', 'match_status_ready', 2);
    await store.setRoster('1-live', 'faction1', ['lf1', 'lf2']);
    await sb.query(
      `insert into active_matches (match_id, faction, guild_id, voice_channel_id) values ('1-live', 'faction1', $1, 'lc1')`,
      [on(1)],
    );
    const shard1 = await store.liveMembers({ shard: 1, shardCount: 2 });
    expect(shard1.rosters.map((r) => [r.guild_id, r.faceit_id]).sort()).toEqual([
      [on(1), 'lf1'],
      [on(1), 'lf2'],
    ]);
    expect(shard1.links.links.map((l) => l.discord_id)).toEqual(['ld1']);
    expect((await store.liveMembers({ shard: 0, shardCount: 2 })).rosters).toEqual([]);
    expect((await store.liveMembers({ guildIds: [on(1)] })).rosters).toHaveLength(2);
    await store.end('1-live', 'match_status_finished');
    expect((await store.liveMembers({ shard: 1, shardCount: 2 })).rosters).toEqual([]);
  });

  it("rosters follow substitutions and find a late joiner's team channel", async () => {
    await sb.query(
      `insert into player_links (discord_id, faceit_id, faceit_nickname, verified_method) values ('d1','f1','n1','oauth'), ('d2','f2','n2','oauth')`,
    );
    await store.touch('1-m3', 'match_status_ready', 2);
    await store.setRoster('1-m3', 'faction1', ['f1', 'f9']);
    await sb.query(
      `insert into active_matches (match_id, faction, guild_id, voice_channel_id) values ('1-m3', 'faction1', 'g', 'c1')`,
    );
    expect(await store.channelsForPlayer('d1', 'g')).toEqual([
      { match_id: '1-m3', faction: 'faction1', voice_channel_id: 'c1' },
    ]);
    await store.setRoster('1-m3', 'faction1', ['f2']);
    expect(await store.channelsForPlayer('d1', 'g')).toEqual([]);
    expect(await store.channelsForPlayer('d2', 'g')).toHaveLength(1);
    await store.end('1-m3', 'match_status_finished');
    expect(await store.channelsForPlayer('d2', 'g')).toEqual([]);
    await store.forget('1-m3', 'g', 'faction1');
    expect(await store.rows('1-m3')).toEqual([]);
  });

  it('beginChannel takes the lease and reads the marker and the row in one call; recordChannel answers the end', async () => {
    await store.touch('1-b1', 'match_status_ready', 1);
    const key = 'vc-1-b1-faction1';
    const row = (faction: 'faction1' | 'faction2', channel: string, matchId = '1-b1') => ({
      match_id: matchId,
      faction,
      guild_id: 'g',
      voice_channel_id: channel,
    });
    expect(await store.beginChannel('1-b1', 'g', 'faction1', key, 'h1', 15)).toEqual({
      ended: false,
      channelId: null,
      maybeOrphan: false,
    });
    // Held by h1: another holder gets null. h1 re-takes it: its own first attempt recorded nothing yet.
    expect(await store.beginChannel('1-b1', 'g', 'faction1', key, 'h2', 15)).toBeNull();
    expect(await store.beginChannel('1-b1', 'g', 'faction1', key, 'h1', 15)).toMatchObject({
      maybeOrphan: true,
    });
    expect(await store.recordChannel(row('faction1', 'cb1'), key)).toEqual({ ended: false });
    // Recorded: the next attempt knows the channel and has no orphan to look for.
    expect(await store.beginChannel('1-b1', 'g', 'faction1', key, 'h1', 15)).toEqual({
      ended: false,
      channelId: 'cb1',
      maybeOrphan: false,
    });
    await store.recordChannel(row('faction1', 'cb1'), key);
    await store.releaseLease(key, 'h1');
    await store.end('1-b1', 'match_status_finished');
    expect(await store.beginChannel('1-b1', 'g', 'faction1', key, 'h2', 15)).toEqual({
      ended: true,
      channelId: 'cb1',
      maybeOrphan: false,
    });
    // Written after the end: the row is there (removeMatchChannels removes it) and the caller is told.
    expect(await store.recordChannel(row('faction2', 'cb2'), 'vc-1-b1-faction2')).toEqual({ ended: true });
    expect((await store.rows('1-b1')).map((r) => r.voice_channel_id).sort()).toEqual(['cb1', 'cb2']);
    // An unknown match (no state row yet) is active.
    expect(await store.recordChannel(row('faction1', 'cb3', '1-b2'), 'vc-1-b2-faction1')).toEqual({
      ended: false,
    });
  });

  it('a holder that died after beginChannel leaves a marker: the next holder is told to look for its channel', async () => {
    await store.touch('1-b3', 'match_status_ready', 1);
    const key = 'vc-1-b3-faction1';
    expect(await store.beginChannel('1-b3', 'g', 'faction1', key, 'dead', 15)).toMatchObject({
      maybeOrphan: false,
    });
    // Its lease lapses (it died before recording a channel).
    await sb.query(`update bridge_leases set expires_at = now() - interval '1 second' where lease_key = $1`, [
      key,
    ]);
    expect(await store.beginChannel('1-b3', 'g', 'faction1', key, 'next', 15)).toEqual({
      ended: false,
      channelId: null,
      maybeOrphan: true,
    });
  });

  it('one match in two guilds: rows, move claims and late-join lookups are per (match, guild)', async () => {
    await sb.query(
      `insert into player_links (discord_id, faceit_id, faceit_nickname, verified_method) values ('d7','f7','n7','oauth')`,
    );
    await store.touch('1-g2', 'match_status_ready', 1);
    await store.setRoster('1-g2', 'faction1', ['f7']);
    const row = (guild: string, channel: string) => ({
      match_id: '1-g2',
      faction: 'faction1' as const,
      guild_id: guild,
      voice_channel_id: channel,
    });
    expect(await store.recordChannel(row('g', 'cg1'), 'vc-1-g2-g-faction1')).toEqual({ ended: false });
    expect(await store.recordChannel(row('h', 'ch1'), 'vc-1-g2-h-faction1')).toEqual({ ended: false });
    expect((await store.rows('1-g2', 'h')).map((r) => r.voice_channel_id)).toEqual(['ch1']);
    expect(await guildsWithRows('1-g2')).toEqual(['g', 'h']);
    // Each guild's channel on record, read with its own lease.
    expect(await store.beginChannel('1-g2', 'h', 'faction1', 'vc-1-g2-h-faction1', 'x', 15)).toMatchObject({
      channelId: 'ch1',
    });
    expect(await store.channelsForPlayer('d7', 'h')).toEqual([
      { match_id: '1-g2', faction: 'faction1', voice_channel_id: 'ch1' },
    ]);
    // Moved in g: still to be moved in h.
    expect(await store.claimMove('1-g2', 'g', 'd7', 'a', 30)).toBe('claimed');
    expect(await store.confirmMove('1-g2', 'g', 'd7', 'a')).toBe(true);
    expect(await store.claimMove('1-g2', 'h', 'd7', 'b', 30)).toBe('claimed');
    expect(await store.claimMove('1-g2', 'g', 'd7', 'b', 30)).toBe('done');
    // Forgetting g's row leaves h's.
    await store.forget('1-g2', 'g', 'faction1');
    expect(await guildsWithRows('1-g2')).toEqual(['h']);
    // An end is the match's, in every guild: the sweep finds the (match, guild) left to clean.
    await store.end('1-g2', 'match_status_finished');
    expect((await store.endedWithRows()).filter((p) => p.matchId === '1-g2')).toEqual([
      { matchId: '1-g2', guildId: 'h' },
    ]);
    await store.forget('1-g2', 'h', 'faction1');
  });

  it('prunes ended matches past retention (state, roster, moves) and expired leases; keeps the rest', async () => {
    const ended = async (matchId: string, daysAgo: number) => {
      await store.touch(matchId, 'match_status_ready', 1);
      await store.setRoster(matchId, 'faction1', ['pf1', 'pf2']);
      expect(await store.claimMove(matchId, 'g', 'pd1', 'h', 30)).toBe('claimed');
      await store.end(matchId, 'match_status_finished');
      await sb.query(
        `update match_states set ended_at = now() - make_interval(days => $2) where match_id = $1`,
        [matchId, daysAgo],
      );
    };
    await ended('1-p-old', 8);
    await ended('1-p-recent', 6);
    // Ended long ago but its channel row is still there (clean-up pending): the tombstone must stay.
    await ended('1-p-rows', 30);
    await sb.query(
      `insert into active_matches (match_id, faction, guild_id, voice_channel_id) values ('1-p-rows', 'faction1', 'g', 'p-c1')`,
    );
    // Active for a month: the sweep's business, not retention's.
    await store.touch('1-p-active', 'match_status_ready', 1);
    await sb.query(
      `update match_states set created_at = now() - interval '30 days' where match_id = '1-p-active'`,
    );
    expect(await store.takeLease('p-expired', 'dead', 60)).toBe(true);
    await sb.query(
      `update bridge_leases set expires_at = now() - interval '1 second' where lease_key = 'p-expired'`,
    );
    expect(await store.takeLease('p-live', 'alive', 60)).toBe(true);

    expect(await store.prune(7)).toEqual({ matches: 1, rosters: 2, moves: 1, leases: 1 });

    const left = async (table: string) =>
      (
        await sb.query<{ match_id: string }>(
          `select distinct match_id from ${table} where match_id like '1-p-%'`,
        )
      )
        .map((r) => r.match_id)
        .sort();
    expect(await left('match_states')).toEqual(['1-p-active', '1-p-recent', '1-p-rows']);
    expect(await left('match_rosters')).toEqual(['1-p-recent', '1-p-rows']);
    expect(await left('match_moves')).toEqual(['1-p-recent', '1-p-rows']);
    const leases = await sb.query<{ lease_key: string }>(
      `select lease_key from bridge_leases where lease_key like 'p-%'`,
    );
    expect(leases.map((l) => l.lease_key)).toEqual(['p-live']);
    // Still an ended match to every reader, so a late event does not build its channels again.
    expect(await store.isEnded('1-p-rows')).toBe(true);
    expect(await store.prune(7)).toEqual({ matches: 0, rosters: 0, moves: 0, leases: 0 });
  });

  it('prunes at most `limit` matches a call, oldest end first', async () => {
    for (const [id, days] of [
      ['1-q-a', 10],
      ['1-q-b', 9],
    ] as const) {
      await store.touch(id, 'match_status_ready', 1);
      await store.end(id, 'match_status_finished');
      await sb.query(
        `update match_states set ended_at = now() - make_interval(days => $2) where match_id = $1`,
        [id, days],
      );
    }
    expect((await store.prune(7, 1)).matches).toBe(1);
    expect(await sb.query(`select match_id from match_states where match_id like '1-q-%'`)).toEqual([
      { match_id: '1-q-b' },
    ]);
    expect((await store.prune(7, 1)).matches).toBe(1);
  });

  it('refuses a retention below one day with a clear error and deletes nothing', async () => {
    await store.touch('1-r-1', 'match_status_ready', 1);
    await store.end('1-r-1', 'match_status_finished');
    for (const [days, limit] of [
      [0, 10],
      [7, 0],
    ] as const) {
      const err = await store.prune(days, limit).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).code).toBe('22023');
      expect((err as StoreError).message).toMatch(/must be at least 1/);
    }
    expect(await store.isEnded('1-r-1')).toBe(true);
  });

  it("answers the sweep's active-matches read from the partial index", async () => {
    await sb.query('set enable_seqscan = off');
    try {
      const plan = await sb.query(
        `explain (format json) select match_id, created_at from match_states where status = 'active'`,
      );
      expect(JSON.stringify(plan)).toContain('match_states_active_idx');
    } finally {
      await sb.query('reset enable_seqscan');
    }
  });

  it('anon cannot call the functions', async () => {
    const anon = createClient(sb.url, sb.anonKey, { auth: { persistSession: false } });
    const res = await anon.rpc('match_claim_move', {
      p_match_id: '1-m4',
      p_guild_id: 'g',
      p_discord_id: 'u',
    });
    expect(res.error).not.toBeNull();
    expect(await store.claimMove('1-m4', 'g', 'u', 'h', 30)).toBe('claimed');
    for (const fn of ['match_note_missing', 'match_clear_missing']) {
      expect((await anon.rpc(fn, { p_match_id: '1-m4' })).error, fn).not.toBeNull();
    }
    // The routing read would tell anyone the player links and every guild's settings.
    expect((await anon.rpc('match_route_reads', { p_faceit_ids: [], p_targets: [] })).error).not.toBeNull();
    expect((await anon.rpc('guild_candidates', { p_targets: [] })).error).not.toBeNull();
  });

  it('routeReads: the player links, the candidate guilds and the first lease in one call', async () => {
    const hub = '33333333-3333-4333-8333-333333333333';
    const guilds = new GuildStore(store.db);
    await guilds.follow('100000000000000001', 'hub', hub);
    await guilds.follow('100000000000000002', 'all', '');
    await sb.query(
      `insert into player_links (discord_id, faceit_id, faceit_nickname, verified_method)
       values ('200000000000000001', 'f-rr-1', 'rr1', 'oauth'), ('200000000000000002', 'f-rr-2', 'rr2', 'oauth')`,
    );
    const lease = {
      matchId: '1-rr',
      guildId: '100000000000000001',
      faction: 'faction1' as const,
      key: 'vc-1-rr-100000000000000001-faction1',
      holder: 'h1',
      ttlSeconds: 15,
    };
    const read = await store.routeReads(['f-rr-1', 'f-rr-x'], { competitionId: hub.toUpperCase() }, lease);
    expect(read.links.links.map((l) => [l.faceit_id, l.discord_id])).toEqual([
      ['f-rr-1', '200000000000000001'],
    ]);
    expect(read.candidates.map((c) => c.settings.guild_id)).toEqual([
      '100000000000000001',
      '100000000000000002',
    ]);
    expect(read.begun).toEqual({ ended: false, channelId: null, maybeOrphan: false });
    // The lease is held now: another holder's read gets null for it; without a lease, undefined.
    expect((await store.routeReads([], {}, { ...lease, holder: 'h2' })).begun).toBeNull();
    const plain = await store.routeReads(['f-rr-2'], {});
    expect(plain.begun).toBeUndefined();
    expect(plain.links.links.map((l) => l.faceit_id)).toEqual(['f-rr-2']);
    expect(plain.candidates.map((c) => c.settings.guild_id)).toEqual(['100000000000000002']);
  });
});
