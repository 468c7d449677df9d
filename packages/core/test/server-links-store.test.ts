import { type LocalSupabase, startLocalSupabase } from '@bridge/testbed';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSupabase,
  type GlobalLink,
  GuildStore,
  linksInGuild,
  MatchStore,
  PlayerLinkStore,
  type ServerLink,
} from '../src/index.ts';

// Server links (guild_player_overrides), the link policy and the reads that decide who is who per server,
// through supabase-js → real PostgREST → Postgres with the migrations.
let sb: LocalSupabase;
let links: PlayerLinkStore;
let guilds: GuildStore;
let matches: MatchStore;
beforeAll(async () => {
  sb = await startLocalSupabase();
  const db = createSupabase(sb.url, sb.serviceRoleKey);
  links = new PlayerLinkStore(db);
  guilds = new GuildStore(db);
  matches = new MatchStore(db);
});
afterAll(async () => {
  await sb?.stop();
});

const G = '100000000000000001';
const H = '100000000000000002';
const id = (n: number) => `2000000000000000${String(n).padStart(2, '0')}`;

describe('link policy', () => {
  it('servers set up from now on count verified links only; the single-guild mode’s own server keeps nickname links', async () => {
    await guilds.seed({ guildId: '100000000000000011' });
    expect((await guilds.get('100000000000000011'))?.link_policy).toBe('nickname-allowed');
    await guilds.follow('100000000000000012', 'members', '');
    expect((await guilds.get('100000000000000012'))?.link_policy).toBe('verified-only');
    await guilds.update('100000000000000013', { user_limit: 5 });
    expect((await guilds.get('100000000000000013'))?.link_policy).toBe('verified-only');
    // /setup linking; a later seed or edit leaves it as set.
    await guilds.update('100000000000000011', { link_policy: 'verified-only' });
    await guilds.seed({ guildId: '100000000000000011' });
    expect((await guilds.get('100000000000000011'))?.link_policy).toBe('verified-only');
  });

  it('refuses a policy that does not exist', async () => {
    await expect(
      guilds.update('100000000000000013', { link_policy: 'anyone' as 'verified-only' }),
    ).rejects.toMatchObject({ code: '23514' });
  });
});

describe('server links', () => {
  it('sets, refuses and resets as the rules say', async () => {
    await links.linkOAuth(id(1), 'f-verified', 'Verified');
    await links.claimNickname(id(2), 'f-claimed', 'Claimed');
    // A member who verified their link: the server cannot change it.
    expect(await links.setServerLink(G, id(1), { faceitId: 'f-x', nickname: 'X' }, id(9))).toBe(
      'member-verified',
    );
    expect(await links.setServerLink(G, id(1), null, id(9))).toBe('member-verified');
    // An account someone verified: no server can give it away.
    expect(await links.setServerLink(G, id(3), { faceitId: 'f-verified', nickname: 'V' }, id(9))).toBe(
      'account-verified',
    );
    // A claimed (unverified) account: this server may say who it is here.
    expect(await links.setServerLink(G, id(3), { faceitId: 'f-claimed', nickname: 'Claimed' }, id(9))).toBe(
      'set',
    );
    expect(await links.setServerLink(G, id(4), { faceitId: 'f-claimed', nickname: 'Claimed' }, id(9))).toBe(
      'account-taken-here',
    );
    // Another server is another matter.
    expect(await links.setServerLink(H, id(4), { faceitId: 'f-claimed', nickname: 'Claimed' }, id(9))).toBe(
      'set',
    );
    expect(await links.setServerLink(G, id(2), null, id(9))).toBe('set');
    expect(
      await sb.query(
        'select guild_id, discord_id, faceit_id, set_by from guild_player_overrides order by 1, 2',
      ),
    ).toEqual([
      { guild_id: G, discord_id: id(2), faceit_id: null, set_by: id(9) },
      { guild_id: G, discord_id: id(3), faceit_id: 'f-claimed', set_by: id(9) },
      { guild_id: H, discord_id: id(4), faceit_id: 'f-claimed', set_by: id(9) },
    ]);
    // Nothing global changed.
    expect(await links.get(id(2))).toMatchObject({ faceit_id: 'f-claimed', verified_method: 'nickname' });
    expect(await links.get(id(3))).toBeNull();

    expect(await links.resetServerLink(G, id(3))).toMatchObject({ faceit_id: 'f-claimed' });
    expect(await links.resetServerLink(G, id(3))).toBeNull();
  });

  it('an operator link is verified and moves the account', async () => {
    await links.claimNickname(id(20), 'f-op', 'Op');
    expect(await links.linkOperator(id(21), 'f-op', 'Op')).toBe(id(20));
    expect(await links.get(id(21))).toMatchObject({ faceit_id: 'f-op', verified_method: 'operator' });
    expect(await links.claimNickname(id(22), 'f-op', 'Op')).toBe('taken_nickname');
    expect(await links.setServerLink(G, id(23), { faceitId: 'f-op', nickname: 'Op' }, id(9))).toBe(
      'account-verified',
    );
  });

  it('forgets a guild’s server links with the guild', async () => {
    await links.setServerLink('100000000000000031', id(30), null, id(9));
    await guilds.forget('100000000000000031');
    expect(
      await sb.query(`select 1 from guild_player_overrides where guild_id = '100000000000000031'`),
    ).toEqual([]);
  });
});

describe('link_rows: what deciding needs, in one call', () => {
  it('decides as the whole tables would, for every player and member asked about', async () => {
    const P = '100000000000000041';
    const Q = '100000000000000042';
    await sb.query('delete from guild_player_overrides');
    await sb.query('delete from player_links');
    const rowsGlobal: [number, string, string][] = [
      [41, 'a', 'oauth'],
      [42, 'b', 'nickname'],
      [43, 'c', 'nickname'],
      [44, 'd', 'operator'],
      [45, 'e', 'nickname'],
    ];
    for (const [n, f, m] of rowsGlobal) {
      await sb.query(
        'insert into player_links (discord_id, faceit_id, faceit_nickname, verified_method) values ($1, $2, $2, $3)',
        [id(n), f, m],
      );
    }
    await guilds.follow(P, 'members', '');
    await guilds.follow(Q, 'members', '');
    const serverRows: [string, number, string | null][] = [
      [P, 46, 'b'], // shadows 42's claim in P
      [P, 43, 'x'], // 43 is x in P, not c
      [P, 45, null], // 45 not linked in P
      [P, 47, 'a'], // inert: a is verified
      [P, 44, 'y'], // inert: 44 is verified
      [Q, 48, 'c'],
    ];
    for (const [g, n, f] of serverRows) {
      await sb.query(
        `insert into guild_player_overrides (guild_id, discord_id, faceit_id, faceit_nickname, set_by)
         values ($1, $2, $3, $3, '200000000000000099')`,
        [g, id(n), f],
      );
    }
    const all = {
      links: await sb.query<GlobalLink>(
        'select discord_id, faceit_id, faceit_nickname, verified_method from player_links',
      ),
      overrides: await sb.query<ServerLink>(
        'select guild_id, discord_id, faceit_id, faceit_nickname from guild_player_overrides',
      ),
    };
    const pick = (ls: ReturnType<typeof linksInGuild>, f: string[], d: string[]) =>
      ls
        .filter((l) => f.includes(l.faceitId) || d.includes(l.discordId))
        .map((l) => `${l.faceitId}=${l.discordId}:${l.source}`)
        .sort();
    const queries: { faceitIds: string[]; discordIds: string[] }[] = [
      { faceitIds: ['a', 'b', 'c', 'd', 'e', 'x', 'y'], discordIds: [] },
      { faceitIds: ['b'], discordIds: [] },
      { faceitIds: ['c'], discordIds: [] },
      { faceitIds: ['x'], discordIds: [] },
      { faceitIds: [], discordIds: [id(42)] },
      { faceitIds: [], discordIds: [id(43)] },
      { faceitIds: [], discordIds: [id(46)] },
      { faceitIds: [], discordIds: [id(47), id(44), id(45)] },
    ];
    for (const guildId of [P, Q]) {
      for (const policy of ['verified-only', 'nickname-allowed'] as const) {
        for (const q of queries) {
          const whole = pick(linksInGuild({ guildId, policy, ...all }), q.faceitIds, q.discordIds);
          for (const scope of [guildId, undefined]) {
            const read = await links.rows({ ...q, ...(scope ? { guildId: scope } : {}) });
            const got = pick(linksInGuild({ guildId, policy, ...read }), q.faceitIds, q.discordIds);
            expect(got, `${guildId} ${policy} ${JSON.stringify(q)} scope ${scope}`).toEqual(whole);
          }
        }
      }
    }
    // Spot checks of what that means.
    expect(
      pick(linksInGuild({ guildId: P, policy: 'nickname-allowed', ...all }), ['a', 'b', 'c', 'x'], []),
    ).toEqual([`a=${id(41)}:verified`, `b=${id(46)}:server`, `x=${id(43)}:server`]);

    // The late joiner's read: 43 in P is x, whose team channel is the one to go to.
    await sb.query(`insert into match_states (match_id) values ('1-mem')`);
    await sb.query(
      `insert into match_rosters (match_id, faction, faceit_id) values ('1-mem', 'faction1', 'c'), ('1-mem', 'faction2', 'x')`,
    );
    await sb.query(
      `insert into active_matches (match_id, faction, guild_id, voice_channel_id)
       values ('1-mem', 'faction1', $1, '900000000000000001'), ('1-mem', 'faction2', $1, '900000000000000002')`,
      [P],
    );
    const member = await matches.channelsForMember(id(43), P);
    expect(member.policy).toBe('verified-only');
    expect(member.channels.map((c) => `${c.faction}:${c.faceit_id}`).sort()).toEqual([
      'faction1:c',
      'faction2:x',
    ]);
    const there = linksInGuild({ guildId: P, policy: member.policy ?? 'verified-only', ...member.links });
    expect(there.find((l) => l.discordId === id(43))?.faceitId).toBe('x');
  });

  it('lets only service_role call the new functions and read the new table', async () => {
    const anon = createClient(sb.url, sb.anonKey, { auth: { persistSession: false } });
    expect((await anon.from('guild_player_overrides').select('*')).error?.code).toBe('42501');
    for (const [fn, args] of [
      ['link_rows', { p_faceit_ids: [], p_discord_ids: [] }],
      [
        'guild_override_set',
        { p_guild_id: G, p_discord_id: id(1), p_faceit_id: null, p_nickname: null, p_set_by: id(1) },
      ],
      ['match_channels_for_member', { p_discord_id: id(1), p_guild_id: G }],
      ['link_player_operator', { p_discord_id: id(1), p_faceit_id: 'f', p_nickname: 'f' }],
    ] as const) {
      expect((await anon.rpc(fn, args)).error, fn).not.toBeNull();
    }
  });
});
