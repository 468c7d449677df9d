import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type LocalSupabase, startLocalSupabase } from '@bridge/testbed';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSupabase,
  MIGRATIONS_DIR,
  PlayerLinkStore,
  schemaState,
  shippedMigrations,
  supabaseKeyKind,
} from '../src/index.ts';

// What the workers' start-up check reads: the migrations recorded as applied, through real PostgREST.
let sb: LocalSupabase;
beforeAll(async () => {
  sb = await startLocalSupabase();
});
afterAll(async () => {
  await sb?.stop();
});

describe('shipped and applied migrations', () => {
  it('the shipped list is every file of supabase/migrations, oldest first', () => {
    const files = readdirSync(join(import.meta.dirname, '../../../supabase/migrations')).filter((f) =>
      f.endsWith('.sql'),
    );
    expect(MIGRATIONS_DIR).toMatch(/supabase\/migrations$/);
    expect(shippedMigrations()).toEqual(files.map((f) => f.slice(0, 14)).sort());
  });

  it('ok when every shipped migration is recorded; names the missing ones otherwise, older ones too', async () => {
    const db = createSupabase(sb.url, sb.serviceRoleKey);
    const shipped = shippedMigrations();
    expect(await schemaState(db, shipped)).toEqual({ ok: true, applied: shipped.length });
    // A migration merged later with an older version than one already applied is still missing.
    expect(await schemaState(db, [...shipped, '20000101000000'])).toEqual({
      ok: false,
      missing: ['20000101000000'],
      reason: `1 of ${shipped.length + 1} migrations not applied`,
    });
  });

  it('only the service key may read them', async () => {
    const anon = createClient(sb.url, sb.anonKey, { auth: { persistSession: false } });
    const res = await anon.rpc('applied_migrations');
    expect(res.error?.code).toBe('42501');
  });

  it('a database where nothing records migrations answers none (not an error)', async () => {
    await sb.query('alter table supabase_migrations.schema_migrations rename to schema_migrations_aside');
    try {
      const state = await schemaState(createSupabase(sb.url, sb.serviceRoleKey), shippedMigrations());
      expect(state).toMatchObject({
        ok: false,
        reason: 'no migration is recorded in supabase_migrations.schema_migrations',
      });
    } finally {
      await sb.query('alter table supabase_migrations.schema_migrations_aside rename to schema_migrations');
    }
  });
});

describe('both kinds of server-side key, through supabase-js', () => {
  it('the secret key (sb_secret_…) and the legacy service_role JWT read and write; the publishable key neither', async () => {
    for (const key of [sb.secretKey, sb.serviceRoleKey]) {
      const links = new PlayerLinkStore(createSupabase(sb.url, key));
      const discordId = `9${Date.now()}${Math.floor(Math.random() * 1e4)}`.slice(0, 18);
      await links.linkOAuth(discordId, crypto.randomUUID(), `p${discordId.slice(-6)}`);
      expect((await links.get(discordId))?.faceit_nickname).toBe(`p${discordId.slice(-6)}`);
    }
    expect(supabaseKeyKind(sb.secretKey)).toBe('secret');
    expect(supabaseKeyKind(sb.serviceRoleKey)).toBe('service_role');
    expect(supabaseKeyKind(sb.publishableKey)).toBe('publishable');
    expect(supabaseKeyKind(sb.anonKey)).toBe('anon');
    const anon = await createSupabase(sb.url, sb.publishableKey).from('player_links').select('discord_id');
    expect(anon.error?.code).toBe('42501');
  });
});
