import { type LocalSupabase, startLocalSupabase } from '@bridge/testbed';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSupabase, GuildStore, MatchStore, StoreError } from '../src/index.ts';

// Per-guild settings and follows, through supabase-js → real PostgREST → Postgres.
let sb: LocalSupabase;
let guilds: GuildStore;
// Routing reads the candidate guilds with the links (one SQL call, MatchStore.routeReads).
let matches: MatchStore;
beforeAll(async () => {
  sb = await startLocalSupabase();
  guilds = new GuildStore(createSupabase(sb.url, sb.serviceRoleKey));
  matches = new MatchStore(guilds.db);
});
afterAll(async () => {
  await sb?.stop();
});

const G1 = '200000000000000001';
const G2 = '200000000000000002';
const HUB = '11111111-1111-4111-8111-111111111111';
const CAT = '300000000000000001';
const LOBBY = '300000000000000002';
const STAFF = '300000000000000003';

describe('GuildStore against real PostgREST', () => {
  it('seeds the single guild from the env: it follows all, and each start sets the columns exactly as the env says', async () => {
    await guilds.seed({ guildId: G1, categoryId: CAT, lobbyChannelId: LOBBY, staffRoleId: STAFF });
    expect(await guilds.get(G1)).toMatchObject({
      guild_id: G1,
      category_id: CAT,
      lobby_channel_id: LOBBY,
      staff_role_id: STAFF,
      name_template: 'match-{short}-{faction}',
      source: 'env',
    });
    expect(await guilds.follows(G1)).toEqual([{ guildId: G1, kind: 'all', targetId: '' }]);

    // A /setup edit, then a restart whose env no longer sets the lobby nor the staff role: the env wins
    // (no lobby, as before settings were stored); the spectator role has no variable and stays.
    await guilds.update(G1, {
      category_id: '300000000000000009',
      lobby_channel_id: '300000000000000008',
      spectator_role_id: '300000000000000007',
    });
    await guilds.seed({ guildId: G1, categoryId: CAT, nameTemplate: 'vc-{short}-{faction}' });
    expect(await guilds.get(G1)).toMatchObject({
      category_id: CAT,
      lobby_channel_id: null,
      staff_role_id: null,
      spectator_role_id: '300000000000000007',
      name_template: 'vc-{short}-{faction}',
    });
    expect(await guilds.follows(G1)).toHaveLength(1);

    // Narrowed with /setup to one hub: a restart keeps that; following nothing falls back to all.
    await guilds.unfollow(G1, 'all', '');
    await guilds.follow(G1, 'hub', HUB);
    await guilds.seed({ guildId: G1 });
    expect(await guilds.follows(G1)).toEqual([{ guildId: G1, kind: 'hub', targetId: HUB }]);
    await guilds.unfollow(G1, 'hub', HUB);
    await guilds.seed({ guildId: G1, categoryId: CAT });
    expect(await guilds.follows(G1)).toEqual([{ guildId: G1, kind: 'all', targetId: '' }]);
  });

  it('follows and unfollows, telling a repeat from a change', async () => {
    expect(await guilds.follow(G2, 'hub', HUB)).toBe(true);
    expect(await guilds.follow(G2, 'hub', HUB)).toBe(false);
    expect(await guilds.follow(G2, 'members', '')).toBe(true);
    expect(await guilds.get(G2)).toMatchObject({ guild_id: G2, source: 'setup', category_id: null });
    expect(await guilds.follows(G2)).toEqual([
      { guildId: G2, kind: 'hub', targetId: HUB },
      { guildId: G2, kind: 'members', targetId: '' },
    ]);
    expect(await guilds.unfollow(G2, 'members', '')).toBe(true);
    expect(await guilds.unfollow(G2, 'members', '')).toBe(false);
    expect((await guilds.follows()).map((f) => f.guildId).sort()).toEqual([G1, G2]);
  });

  it('refuses what the constraints forbid and changes nothing', async () => {
    const before = await guilds.follows(G2);
    await expect(guilds.follow(G2, 'hub', 'not-a-uuid')).rejects.toThrow(StoreError);
    await expect(guilds.follow(G2, 'all', HUB)).rejects.toThrow(/guild_follows_target_check/);
    await expect(guilds.update(G2, { category_id: 'abc' })).rejects.toThrow(StoreError);
    await expect(
      sb.query(`update guild_settings set name_template = 'voice' where guild_id = $1`, [G2]),
    ).rejects.toThrow(/check/);
    expect(await guilds.follows(G2)).toEqual(before);
    expect((await guilds.get(G2))?.category_id).toBeNull();
  });

  it('routing reads the candidate guilds of a match with their settings and the follows that may take it', async () => {
    const G3 = '200000000000000003';
    const G4 = '200000000000000004';
    const HUB2 = '22222222-2222-4222-8222-222222222222';
    const ORG = '33333333-3333-4333-8333-333333333333';
    await guilds.follow(G3, 'hub', HUB2);
    await guilds.follow(G3, 'organizer', ORG);
    await guilds.update(G3, { category_id: CAT });
    await guilds.follow(G4, 'members', '');
    const of = async (m: { competitionId?: string; organizerId?: string }) =>
      (await matches.routeReads([], m)).candidates.filter(
        (c) => c.settings.guild_id === G3 || c.settings.guild_id === G4,
      );
    const hub2 = await of({ competitionId: HUB2.toUpperCase(), organizerId: 'faceit' });
    expect(hub2.map((c) => c.settings.guild_id)).toEqual([G3, G4]);
    expect(hub2[0]?.settings.category_id).toBe(CAT);
    // Only the follows that may take it: not G3's organizer follow.
    expect(hub2[0]?.follows).toEqual([{ guildId: G3, kind: 'hub', targetId: HUB2 }]);
    expect(hub2[1]?.follows).toEqual([{ guildId: G4, kind: 'members', targetId: '' }]);
    expect((await of({ organizerId: ORG }))[0]?.follows).toEqual([
      { guildId: G3, kind: 'organizer', targetId: ORG },
    ]);
    expect((await of({})).map((c) => c.settings.guild_id)).toEqual([G4]);
    await guilds.forget(G3);
    await guilds.forget(G4);
  });

  it('forgets a guild the bot left: settings, follows and its channel rows, not other guilds', async () => {
    await sb.query(
      `insert into active_matches (match_id, faction, guild_id, voice_channel_id)
       values ('1-a', 'faction1', $1, '400000000000000001'), ('1-b', 'faction1', $2, '400000000000000002')`,
      [G2, G1],
    );
    expect(await guilds.forget(G2)).toBe(1);
    expect(await guilds.get(G2)).toBeNull();
    expect(await guilds.follows(G2)).toEqual([]);
    expect(await sb.query('select guild_id from active_matches')).toEqual([{ guild_id: G1 }]);
    expect(await guilds.get(G1)).not.toBeNull();
  });

  it('keeps the anon key out of the guild tables and functions', async () => {
    const anon = createClient(sb.url, sb.anonKey, { auth: { persistSession: false } });
    for (const table of ['guild_settings', 'guild_follows']) {
      expect((await anon.from(table).select('*')).error?.code, table).toBe('42501');
    }
    const seed = await anon.rpc('guild_seed', {
      p_guild_id: '200000000000000009',
      p_category_id: null,
      p_lobby_channel_id: null,
      p_staff_role_id: null,
      p_name_template: null,
    });
    expect(seed.error?.code).toBe('42501');
    expect((await anon.rpc('guild_forget', { p_guild_id: G1 })).error?.code).toBe('42501');
    expect(await guilds.get(G1)).not.toBeNull();
  });
});
