import { type LocalSupabase, startLocalSupabase } from '@bridge/testbed';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSupabase, PlayerLinkStore, StoreError } from '../src/index.ts';

// supabase-js → gateway (/rest/v1) → real PostgREST 12 → a fresh Postgres database with the migrations.
let sb: LocalSupabase;
beforeAll(async () => {
  sb = await startLocalSupabase();
});
afterAll(async () => {
  await sb?.stop();
});

/** A row written straight to the table, past the SQL functions: what only the constraints stop. */
async function insertDirectly(discordId: string, faceitId: string, verifiedMethod: string) {
  const db = createSupabase(sb.url, sb.serviceRoleKey);
  const row = {
    discord_id: discordId,
    faceit_id: faceitId,
    faceit_nickname: 'x',
    verified_method: verifiedMethod,
  };
  return (await db.from('player_links').insert(row)).error;
}

describe('PlayerLinkStore against real PostgREST', () => {
  it('links by nickname, upgrades to OAuth, reads and removes a link', async () => {
    const store = new PlayerLinkStore(createSupabase(sb.url, sb.serviceRoleKey));
    expect(await store.claimNickname('100000000000000001', 'f-1', 'alice')).toBe('linked');
    const created = await store.get('100000000000000001');
    expect(created).toMatchObject({
      faceit_id: 'f-1',
      faceit_nickname: 'alice',
      verified_method: 'nickname',
    });

    expect(await store.linkOAuth('100000000000000001', 'f-1', 'alice2')).toBeNull();
    const updated = await store.get('100000000000000001');
    expect(updated).toMatchObject({ faceit_nickname: 'alice2', verified_method: 'oauth' });
    expect(new Date(updated!.updated_at).getTime()).toBeGreaterThanOrEqual(
      new Date(created!.updated_at).getTime(),
    );

    expect((await store.byFaceitIds(['f-1', 'f-unknown'])).map((l) => l.discord_id)).toEqual([
      '100000000000000001',
    ]);
    expect(await store.remove('100000000000000001')).toMatchObject({ faceit_id: 'f-1' });
    expect(await store.get('100000000000000001')).toBeNull();
    expect(await store.remove('100000000000000001')).toBeNull();
  });

  it('refuses a FACEIT account already linked to another Discord user (unique faceit_id)', async () => {
    const store = new PlayerLinkStore(createSupabase(sb.url, sb.serviceRoleKey));
    expect(await store.linkOAuth('100000000000000002', 'f-2', 'bob')).toBeNull();
    expect(await store.claimNickname('100000000000000003', 'f-2', 'bob')).toBe('taken_oauth');
    // Even a write that skips the SQL functions cannot give one account to two users.
    expect((await insertDirectly('100000000000000003', 'f-2', 'nickname'))?.code).toBe('23505');
    expect(await store.get('100000000000000003')).toBeNull();
  });

  it("surfaces a refused call as a StoreError carrying PostgREST's code", async () => {
    const anonStore = new PlayerLinkStore(createSupabase(sb.url, sb.anonKey));
    const err = await anonStore.claimNickname('100000000000000005', 'f-5', 'carol').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('42501');
    expect(await sb.query(`select 1 from player_links where discord_id = '100000000000000005'`)).toHaveLength(
      0,
    );
  });

  it('rejects a bad verified_method with the check constraint', async () => {
    expect((await insertDirectly('100000000000000004', 'f-4', 'guess'))?.code).toBe('23514');
  });
});

describe('row level security', () => {
  it('keeps the anon key out of every table', async () => {
    await sb.query(
      `insert into player_links (discord_id, faceit_id, faceit_nickname, verified_method) values ('100000000000000009','f-9','eve','oauth')`,
    );
    const anon = createClient(sb.url, sb.anonKey, { auth: { persistSession: false } });
    for (const table of ['player_links', 'active_matches', 'match_states']) {
      const read = await anon.from(table).select('*');
      expect(read.error?.code, `anon read of ${table}`).toBe('42501');
      expect(read.data).toBeNull();
    }
    const write = await anon.from('player_links').insert({
      discord_id: '100000000000000010',
      faceit_id: 'f-10',
      faceit_nickname: 'mallory',
      verified_method: 'oauth',
    });
    expect(write.error?.code).toBe('42501');
    expect(await sb.query(`select 1 from player_links where discord_id = '100000000000000010'`)).toHaveLength(
      0,
    );

    // The service key sees the row the anon key could not.
    const service = createSupabase(sb.url, sb.serviceRoleKey);
    const { data } = await service
      .from('player_links')
      .select('faceit_nickname')
      .eq('discord_id', '100000000000000009');
    expect(data).toEqual([{ faceit_nickname: 'eve' }]);
  });

  it('has RLS enabled on every table', async () => {
    const rows = await sb.query<{ relname: string; relrowsecurity: boolean }>(
      `select relname, relrowsecurity from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r'`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const r of rows) expect(r.relrowsecurity, r.relname).toBe(true);
  });

  it('answers 401 at the gateway for an unknown apikey', async () => {
    const res = await fetch(`${sb.url}/rest/v1/player_links`, { headers: { apikey: 'nope' } });
    expect(res.status).toBe(401);
  });
});
