// `./run preflight`'s FACEIT checks and `./run faceit-subscription`, against the FACEIT emulator: the Data API
// key, the OAuth client (a made-up code: invalid_client for a wrong client, invalid_grant for a right one), the
// webhook secret, the redirect URI, and which webhook subscriptions to create for what the servers follow.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type DiscordEmulator, startDiscordEmulator } from '@bridge/sandbox/discord/index';
import { type FaceitEmulator, startFaceitEmulator } from '@bridge/sandbox/faceit/index';
import { type LocalSupabase, startAppProcess, startLocalSupabase } from '@bridge/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describePlan, type SubscriptionPlan } from '../src/lib/faceit-preflight.ts';

const preflightCli = join(import.meta.dirname, '../src/preflight-cli.ts');
const subscriptionCli = join(import.meta.dirname, '../src/faceit-subscription-cli.ts');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const REDIRECT = 'https://bridge.example.org/faceit/callback';
let emu: DiscordEmulator;
let faceit: FaceitEmulator;
let supabase: LocalSupabase;
let guildId: string;

beforeAll(async () => {
  [emu, faceit, supabase] = await Promise.all([
    startDiscordEmulator(),
    startFaceitEmulator({ redirectUris: [REDIRECT] }),
    startLocalSupabase(),
  ]);
  guildId = emu.seedGuild({ members: [{ username: 'owner' }] }).guildId;
}, 60_000);
afterAll(async () => {
  await Promise.allSettled([emu?.close(), faceit?.close(), supabase?.stop()]);
});

const env = (extra: Record<string, string> = {}) => ({
  REDIS_URL,
  SUPABASE_URL: supabase.url,
  SUPABASE_SERVICE_ROLE_KEY: supabase.secretKey,
  DISCORD_TOKEN: emu.botToken,
  DISCORD_API_URL: emu.apiUrl,
  DISCORD_GUILD_ID: guildId,
  FACEIT_API_KEY: faceit.apiKey,
  FACEIT_API_URL: faceit.dataApiUrl,
  FACEIT_CLIENT_ID: faceit.clientId,
  FACEIT_CLIENT_SECRET: faceit.clientSecret,
  FACEIT_TOKEN_URL: faceit.tokenUrl,
  FACEIT_REDIRECT_URI: REDIRECT,
  FACEIT_WEBHOOK_SECRET: 'Qm9hcmQtc2VjcmV0LXRoYXQtaXMtbG9uZy1lbm91Z2g',
  ...extra,
});

async function run(entry: string, e: Record<string, string>) {
  const proc = startAppProcess(entry, e);
  const code = await proc.exited;
  return {
    code,
    out: proc.lines.map((l) => String(l.raw ?? JSON.stringify(l))).join('\n'),
    err: proc.stderr.join(''),
  };
}

describe('./run preflight, FACEIT', () => {
  it('passes the right key, client, secret and redirect URI', async () => {
    const { out } = await run(preflightCli, env());
    expect(out).toMatch(/^ok {3}faceit api key: the Data API accepts FACEIT_API_KEY$/m);
    expect(out).toMatch(
      /^ok {3}faceit oauth client: the token endpoint accepts FACEIT_CLIENT_ID and FACEIT_CLIENT_SECRET \(a made-up code was refused as invalid_grant\)$/m,
    );
    expect(out).toMatch(/^ok {3}faceit webhook secret: /m);
    expect(out).toMatch(/^ok {3}faceit redirect uri: https:\/\/bridge\.example\.org\/faceit\/callback/m);
  });

  it('names a wrong API key and a wrong OAuth client, each with where to get the right one', async () => {
    const { code, out } = await run(
      preflightCli,
      env({ FACEIT_API_KEY: 'a-wrong-data-api-key', FACEIT_CLIENT_SECRET: 'not-the-client-secret' }),
    );
    expect(code).toBe(1);
    expect(out).toContain('FAIL faceit api key: the Data API refuses FACEIT_API_KEY (401)');
    expect(out).toContain('     fix: App Studio → your app → API Keys: create a Server side key');
    expect(out).toContain(
      'FAIL faceit oauth client: the token endpoint refuses the client (401 invalid_client): every /link would fail',
    );
    expect(out).toContain(
      '     fix: App Studio → your app → OAuth2 client: copy its Client ID and Client Secret',
    );
  });

  it('refuses a placeholder or weak webhook secret, and an http or loopback redirect URI in production', async () => {
    const weak = await run(preflightCli, env({ FACEIT_WEBHOOK_SECRET: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa' }));
    expect(weak.out).toMatch(
      /^FAIL faceit webhook secret: FACEIT_WEBHOOK_SECRET is weak \(28 characters, 1 different\)$/m,
    );
    const placeholder = await run(
      preflightCli,
      env({ FACEIT_WEBHOOK_SECRET: 'change-me-to-a-long-random-string' }),
    );
    expect(placeholder.out).toContain(
      'FAIL faceit webhook secret: FACEIT_WEBHOOK_SECRET is still the placeholder of .env.example',
    );
    const loopback = 'http://127.0.0.1:3000/faceit/callback';
    const prod = await run(preflightCli, env({ NODE_ENV: 'production', FACEIT_REDIRECT_URI: loopback }));
    expect(prod.out).toContain(
      'FAIL faceit redirect uri: FACEIT_REDIRECT_URI is not https, is a loopback address no player can reach',
    );
    const dev = await run(preflightCli, env({ NODE_ENV: 'development', FACEIT_REDIRECT_URI: loopback }));
    expect(dev.out).toMatch(/^WARN faceit redirect uri: .*\(allowed outside NODE_ENV=production\)$/m);
  });

  it('says which webhook subscriptions to create for what the servers follow, and lists the players for the User one', async () => {
    const organizer = randomUUID();
    const hub = faceit.seedMatch({
      faction1: [],
      faction2: [],
      competitionType: 'hub',
      organizerId: organizer,
    });
    const cup = faceit.seedMatch({
      faction1: [],
      faction2: [],
      competitionType: 'championship',
      organizerId: organizer,
    });
    const other = randomUUID();
    const linked = [randomUUID(), randomUUID()].sort();
    await supabase.query(
      `insert into guild_settings (guild_id) values ('100000000000000001'), ('100000000000000002')`,
    );
    await supabase.query(
      `insert into guild_follows (guild_id, kind, target_id) values
        ('100000000000000001', 'hub', $1), ('100000000000000001', 'championship', $2),
        ('100000000000000002', 'organizer', $3), ('100000000000000002', 'members', '')`,
      [hub.competitionId, cup.competitionId, other],
    );
    await supabase.query(
      `insert into player_links (discord_id, faceit_id, faceit_nickname, verified_method)
       values ('200000000000000001', $1, 'one', 'oauth'), ('200000000000000002', $2, 'two', 'oauth')`,
      linked,
    );
    const { out } = await run(preflightCli, env());
    expect(out).toContain(
      `ok   faceit subscription: Organizer subscription for organizer ${organizer}: covers championship ${cup.competitionId} (${cup.competitionName}), hub ${hub.competitionId} (${hub.competitionName})`,
    );
    expect(out).toContain(
      `ok   faceit subscription: Organizer subscription for organizer ${other}: covers organizer ${other}`,
    );
    expect(out).toContain(
      'ok   faceit subscription: User subscription listing every linked player (2; a server follows members)',
    );
    expect(out).toContain('ok   faceit subscription: the player ids to paste: ./run faceit-subscription');
    expect(out).toMatch(
      /^ok {3}faceit subscription: Events to tick on each subscription: match_object_created, /m,
    );

    const sub = await run(subscriptionCli, env());
    expect(sub.code, sub.err).toBe(0);
    const lines = sub.out.split('\n');
    const at = lines.findIndex((l) => l.startsWith('User subscription listing every linked player (2;'));
    expect(lines.slice(at + 1, at + 3)).toEqual(linked);
  });
});

describe('the plan for a server that follows all', () => {
  const plan = (over: Partial<SubscriptionPlan>): SubscriptionPlan => ({
    organizers: new Map(),
    userIds: null,
    userReasons: [],
    unknown: [],
    followsAll: true,
    ...over,
  });

  it('alone (single-guild mode), says that no follow names a subscription instead of pointing at an empty list', () => {
    const [first] = describePlan(plan({}), { listIds: false });
    expect(first).toMatch(/^A server follows all \(as single-guild mode's DISCORD_GUILD_ID does\)/);
    expect(first).toContain('an Organizer subscription for the organizer of your hubs or championships');
    expect(first).not.toContain('above');
  });

  it('next to other follows, gets what their subscriptions deliver', () => {
    const lines = describePlan(plan({ organizers: new Map([['org-1', ['organizer org-1']]]) }), {
      listIds: false,
    });
    expect(lines.slice(0, 2)).toEqual([
      'Organizer subscription for organizer org-1: covers organizer org-1',
      'A server follows all: it gets every match the subscriptions above deliver.',
    ]);
  });
});
