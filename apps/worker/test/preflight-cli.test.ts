// `./run preflight`: the worker's checks for an operator, each on its own, with what to fix.
import { join } from 'node:path';
import { type DiscordEmulator, startDiscordEmulator } from '@bridge/sandbox/discord/index';
import { type FaceitEmulator, startFaceitEmulator } from '@bridge/sandbox/faceit/index';
import { type LocalSupabase, startAppProcess, startLocalSupabase } from '@bridge/testbed';
import { PermissionFlagsBits as P } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = join(import.meta.dirname, '../src/preflight-cli.ts');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let emu: DiscordEmulator;
let supabase: LocalSupabase;
let faceit: FaceitEmulator;
let guildId: string;
let category: string;
let lobby: string;
let open: string;

beforeAll(async () => {
  [emu, supabase, faceit] = await Promise.all([
    startDiscordEmulator(),
    startLocalSupabase(),
    startFaceitEmulator({ redirectUris: ['https://bridge.example.org/faceit/callback'] }),
  ]);
  const seed = emu.seedGuild({
    members: [{ username: 'owner' }],
    channels: [
      { name: 'Matches', type: 'category', overwrites: [{ to: '@bot', deny: String(P.MoveMembers) }] },
      { name: 'Lobby', type: 'voice' },
      { name: 'Open', type: 'category' },
    ],
  });
  open = seed.channels.Open as string;
  guildId = seed.guildId;
  category = seed.channels.Matches as string;
  lobby = seed.channels.Lobby as string;
}, 60_000);
afterAll(async () => {
  await Promise.allSettled([emu?.close(), supabase?.stop(), faceit?.close()]);
});

async function preflight(env: Record<string, string>): Promise<{ code: number | string; out: string }> {
  const proc = startAppProcess(cli, env);
  const code = await proc.exited;
  return { code, out: proc.lines.map((l) => String(l.raw ?? JSON.stringify(l))).join('\n') };
}

const complete = () => ({
  REDIS_URL,
  SUPABASE_URL: supabase.url,
  SUPABASE_SERVICE_ROLE_KEY: supabase.serviceRoleKey,
  DISCORD_TOKEN: emu.botToken,
  DISCORD_API_URL: emu.apiUrl,
  DISCORD_GUILD_ID: guildId,
  VC_CATEGORY_ID: category,
  VC_LOBBY_CHANNEL_ID: lobby,
  // FACEIT as it should be (preflight-faceit.test.ts covers its checks).
  FACEIT_API_KEY: faceit.apiKey,
  FACEIT_API_URL: faceit.dataApiUrl,
  FACEIT_CLIENT_ID: faceit.clientId,
  FACEIT_CLIENT_SECRET: faceit.clientSecret,
  FACEIT_TOKEN_URL: faceit.tokenUrl,
  FACEIT_REDIRECT_URI: 'https://bridge.example.org/faceit/callback',
  FACEIT_WEBHOOK_SECRET: 'Qm9hcmQtc2VjcmV0LXRoYXQtaXMtbG9uZy1lbm91Z2g',
});

describe('./run preflight', () => {
  it('reports a missing Supabase variable without hiding the Discord checks, each with its fix, and exits 1', async () => {
    const { SUPABASE_URL: _u, ...env } = complete();
    const { code, out } = await preflight(env);
    expect(code).toBe(1);
    expect(out).toContain('FAIL configuration: SUPABASE_URL: is required but not set');
    expect(out).toContain('FAIL supabase: not checked: needs SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY');
    expect(out).toMatch(/^ok {3}token: DISCORD_TOKEN is the bot /m);
    expect(out).toMatch(/^ok {3}identify budget: 1000 of 1000 IDENTIFYs left today/m);
    expect(out).toMatch(/^ok {3}guild: the bot is in /m);
    expect(out).toContain('FAIL permissions in the match category: the bot lacks Move Members');
    expect(out).toContain(
      `     fix: grant Move Members to the bot role on the match category VC_CATEGORY_ID=${category}`,
    );
    expect(out).toMatch(/^ok {3}permissions in the lobby: everything the bridge needs/m);
    expect(out).toMatch(/^ok {3}permissions in the server: everything the bridge needs/m);
    // The emulator's default bot role lacks Set Voice Channel Status (and Manage Nicknames, which ./run invite asks
    // for): warnings, not problems.
    expect(out).toContain(
      'WARN voice status: team channels get no status line (map and stage, shown when match cards are on): the bot lacks Set Voice Channel Status in the match category',
    );
    expect(out).toMatch(/^ok {3}redis: PING answered/m);
    expect(out).toMatch(/^preflight: 3 problem\(s\) \(2 warning\(s\)\)$/m);
    // The checks never log in: no gateway session, no IDENTIFY spent.
    expect(emu.stats().gateway.connections).toBe(0);
  });

  it('names the migrations of this release the database lacks', async () => {
    const [newest] = await supabase.query<{ version: string; name: string }>(
      'select version, name from supabase_migrations.schema_migrations order by version desc limit 1',
    );
    if (!newest) throw new Error('the test bed recorded no migration');
    await supabase.query('delete from supabase_migrations.schema_migrations where version = $1', [
      newest.version,
    ]);
    try {
      const { code, out } = await preflight(complete());
      expect(code).toBe(1);
      expect(out).toMatch(
        new RegExp(
          `^FAIL database schema: 1 of \\d+ migrations not applied; missing ${newest.version}$`,
          'm',
        ),
      );
      expect(out).toContain('     fix: apply supabase/migrations before starting this release');
    } finally {
      await supabase.query(
        'insert into supabase_migrations.schema_migrations (version, name) values ($1, $2) on conflict do nothing',
        [newest.version, newest.name],
      );
    }
    expect((await preflight(complete())).out).toMatch(
      /^ok {3}database schema: the \d+ migrations of this release are applied$/m,
    );
  });

  it("works with the project's secret key (sb_secret_…) as with the legacy JWT, and names a publishable or anon key", async () => {
    const secret = await preflight({ ...complete(), SUPABASE_SERVICE_ROLE_KEY: supabase.secretKey });
    expect(secret.out).toMatch(/^ok {3}supabase: player_links is readable$/m);
    expect(secret.out).toMatch(/^ok {3}database schema: /m);
    for (const [key, kind] of [
      [supabase.publishableKey, 'publishable'],
      [supabase.anonKey, 'anon'],
    ] as const) {
      const { out } = await preflight({ ...complete(), SUPABASE_SERVICE_ROLE_KEY: key });
      expect(out).toContain(
        `FAIL supabase: SUPABASE_SERVICE_ROLE_KEY is the project's ${kind} key, which reads nothing here`,
      );
      expect(out).toContain(
        '     fix: use the secret key (Project Settings → API Keys → Secret keys, sb_secret_…)',
      );
    }
  });

  it('says so for a wrong token and exits 0 when everything is right', async () => {
    const bad = await preflight({ ...complete(), DISCORD_TOKEN: 'not-the-token-at-all' });
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('FAIL token: Discord refuses DISCORD_TOKEN (401)');
    expect(bad.out).toContain('fix: reset the token in the developer portal');

    const notCategory = await preflight({ ...complete(), VC_CATEGORY_ID: lobby });
    expect(notCategory.out).toContain(
      `FAIL permissions in the match category: VC_CATEGORY_ID=${lobby} is not a category`,
    );

    const ok = await preflight({ ...complete(), VC_CATEGORY_ID: open });
    expect(ok.out).toMatch(/^ok {3}supabase: player_links is readable/m);
    expect(ok.out).toContain('preflight: all checks passed');
    expect(ok.code).toBe(0);
  });
  it('without DISCORD_GUILD_ID checks every guild set up with /setup, each by name', async () => {
    const gone = '100000000000000099';
    await supabase.query(
      `insert into guild_settings (guild_id, category_id, lobby_channel_id) values ($1, $2, $3), ($4, null, null)`,
      [guildId, category, lobby, gone],
    );
    try {
      const { DISCORD_GUILD_ID: _g, VC_CATEGORY_ID: _c, VC_LOBBY_CHANNEL_ID: _l, ...env } = complete();
      const { code, out } = await preflight(env);
      expect(code).toBe(1);
      expect(out).toMatch(new RegExp(`^ok {3}guild of guild ${guildId}: the bot is in `, 'm'));
      expect(out).toContain(
        `FAIL permissions in the match category of guild ${guildId}: the bot lacks Move Members`,
      );
      expect(out).toContain(
        `     fix: grant Move Members to the bot role on the match category ${category} (set with /setup channels category:)`,
      );
      expect(out).toMatch(new RegExp(`^ok {3}permissions in the lobby of guild ${guildId}: `, 'm'));
      expect(out).toContain(
        `FAIL guild of guild ${gone}: the bot is not in guild guild_settings.guild_id=${gone}`,
      );
      expect(out).toMatch(/^preflight: 3 problem\(s\) \(2 warning\(s\)\)$/m);
    } finally {
      await supabase.query('delete from guild_settings');
    }
  });

  it('names Use Voice Activity and Set Voice Channel Status when the bot lacks them, and still passes', async () => {
    // @everyone without Use Voice Activity (and the bot role without it): players would get push-to-talk.
    const quiet = emu.seedGuild({
      roles: [
        { name: '@everyone', permissions: String(P.ViewChannel | P.Connect | P.Speak | P.SendMessages) },
      ],
      members: [{ username: 'owner' }],
      channels: [{ name: 'Matches', type: 'category' }],
    });
    const { VC_LOBBY_CHANNEL_ID: _l, ...env } = complete();
    const { code, out } = await preflight({
      ...env,
      DISCORD_GUILD_ID: quiet.guildId,
      VC_CATEGORY_ID: quiet.channels.Matches,
    });
    expect(out).toContain(
      'WARN voice activity: team channels cannot grant players Use Voice Activity (the bot lacks it at server level), so players whose roles do not give it must use push-to-talk',
    );
    expect(out).toContain('     fix: grant Use Voice Activity to the bot role in Server Settings → Roles');
    expect(out).toMatch(/^WARN voice status: .* Set Voice Channel Status in the match category$/m);
    expect(out).toContain('preflight: all checks passed (3 warning(s))');
    expect(code).toBe(0);
  });

  it('warns about a server set up but not served (the workers would leave it), and not once BRIDGE_GUILDS has it', async () => {
    const other = '100000000000000098';
    await supabase.query(`insert into guild_settings (guild_id, source) values ($1, 'env'), ($2, 'setup')`, [
      guildId,
      other,
    ]);
    try {
      const single = await preflight(complete());
      expect(single.out).toContain(
        `WARN served servers: guild ${other} is set up but not served (BRIDGE_GUILDS / DISCORD_GUILD_ID): the workers will leave it and forget its settings, follows and server links`,
      );
      expect(single.out).toContain(
        `     fix: to keep serving it, add ${other} to BRIDGE_GUILDS (or set BRIDGE_GUILDS=*)`,
      );
      const listed = await preflight({ ...complete(), BRIDGE_GUILDS: other });
      expect(listed.out).toMatch(
        new RegExp(`^ok {3}served servers: .*${other}.*every server set up with /setup is among them$`, 'm'),
      );
      const any = await preflight({ ...complete(), BRIDGE_GUILDS: '*' });
      expect(any.out).toMatch(/^ok {3}served servers: any server that adds the bot/m);
    } finally {
      await supabase.query('delete from guild_settings');
    }
  });

  it('without DISCORD_GUILD_ID and no guild set up yet, says what to do', async () => {
    const { DISCORD_GUILD_ID: _g, VC_CATEGORY_ID: _c, VC_LOBBY_CHANNEL_ID: _l, ...env } = complete();
    const { code, out } = await preflight(env);
    expect(out).toContain('ok   guild: no DISCORD_GUILD_ID and no guild set up with /setup yet');
    expect(out).toContain('preflight: all checks passed');
    expect(code).toBe(0);
  });
});
