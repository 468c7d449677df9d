// The worker never crash-loops through IDENTIFY: it checks over REST first, stays up and unhealthy with the
// reason while a check fails, retries with backoff, and no unhandled rejection kills it.
import { join } from 'node:path';
import { type DiscordEmulator, startDiscordEmulator } from '@bridge/sandbox/discord/index';
import { loginClient } from '@bridge/sandbox/discord/testing';
import {
  type AppProcess,
  cleanupPrefix,
  type LocalSupabase,
  startAppProcess,
  startLocalSupabase,
  testPrefix,
  waitFor,
} from '@bridge/testbed';
import { PermissionFlagsBits as P } from 'discord.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const entry = join(import.meta.dirname, '../src/main.ts');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// A prefix per worker: a SIGKILLed worker's leases (the metrics reporter's among them) outlive it.
const prefixes: string[] = [];
const procs: AppProcess[] = [];
let emu: DiscordEmulator | undefined;
// The schema check comes first: a database with every migration lets the Discord checks be reached.
let supabase: LocalSupabase;
beforeAll(async () => {
  supabase = await startLocalSupabase();
});

afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => p.kill('SIGKILL')));
  await emu?.close();
  emu = undefined;
});
afterAll(async () => {
  for (const prefix of prefixes) await cleanupPrefix(REDIS_URL, prefix);
  await supabase?.stop();
});

function startWorker(e: DiscordEmulator, env: Record<string, string>): AppProcess {
  const prefix = testPrefix('preflight');
  prefixes.push(prefix);
  const proc = startAppProcess(entry, {
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    SUPABASE_URL: supabase.url,
    SUPABASE_SERVICE_ROLE_KEY: supabase.serviceRoleKey,
    DISCORD_TOKEN: e.botToken,
    DISCORD_API_URL: e.apiUrl,
    FACEIT_API_KEY: 'faceit-api-key',
    FACEIT_CLIENT_ID: 'client',
    FACEIT_CLIENT_SECRET: 'client-secret-value',
    FACEIT_REDIRECT_URI: 'http://127.0.0.1:3000/faceit/callback',
    METRICS_PORT: '0',
    PREFLIGHT_RETRY_MS: '300',
    ...env,
  });
  procs.push(proc);
  return proc;
}

async function healthz(
  proc: AppProcess,
): Promise<{ status: number; body: { status: string; reason?: string } }> {
  const line = await proc.waitForLine((l) => l.msg === 'metrics and health listening', 'metrics port');
  const res = await fetch(`http://127.0.0.1:${line.metricsPort}/healthz`);
  return { status: res.status, body: (await res.json()) as { status: string; reason?: string } };
}

/** The worker's own metric samples named `name` (no HELP/TYPE lines). */
async function samples(proc: AppProcess, name: string): Promise<string[]> {
  const line = await proc.waitForLine((l) => l.msg === 'metrics and health listening', 'metrics port');
  const text = await (await fetch(`http://127.0.0.1:${line.metricsPort}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith(`${name}{`));
}

/**
 * Waits for the n-th refusal: the worker is still up and has retried n-1 times. Counted from the process's
 * spawn, so the bound covers a worker's start, which takes 25–45 s on this 2-core machine under load ~20.
 */
async function refusals(proc: AppProcess, n: number): Promise<Record<string, unknown>[]> {
  await waitFor(
    () =>
      proc.lines.filter((l) => l.msg === 'not logging into Discord until this is fixed').length >= n ||
      undefined,
    { what: `${n} refusals`, timeoutMs: 90_000 },
  );
  return proc.lines.filter((l) => l.msg === 'not logging into Discord until this is fixed');
}

describe('the worker before its gateway login', () => {
  it('a wrong guild id: stays up, unhealthy with the reason, retries with backoff, never IDENTIFYs; SIGTERM stops it', async () => {
    emu = await startDiscordEmulator();
    emu.seedGuild({ members: [{ username: 'owner' }] });
    const proc = startWorker(emu, { DISCORD_GUILD_ID: '123456789012345678' });
    const [first, second] = await refusals(proc, 2);
    expect(String(first?.problem)).toMatch(/not in guild DISCORD_GUILD_ID=123456789012345678/);
    expect(first?.retryInMs).toBe(300);
    expect(second?.retryInMs).toBe(600);
    const health = await healthz(proc);
    expect(health.status).toBe(503);
    expect(health.body.reason).toMatch(
      /guild: the bot is not in guild DISCORD_GUILD_ID=123456789012345678.*fix: invite the bot/,
    );
    // What the alert reads: not ready, and why in a word.
    expect(await samples(proc, 'bridge_worker_ready')).toEqual(['bridge_worker_ready{app="worker"} 0']);
    expect(await samples(proc, 'bridge_worker_problem')).toEqual([
      'bridge_worker_problem{reason="guild",app="worker"} 1',
    ]);
    expect(emu.stats().gateway.connections).toBe(0);
    expect(emu.stats().gateway.identifies).toBe(0);
    expect(proc.child.exitCode).toBeNull();
    expect(await proc.kill('SIGTERM')).toBe(0);
  });

  it('missing permissions in the match category: says which and where, then logs in once they are granted', async () => {
    emu = await startDiscordEmulator();
    const seed = emu.seedGuild({
      members: [{ username: 'owner' }],
      channels: [
        { name: 'Matches', type: 'category', overwrites: [{ to: '@bot', deny: String(P.MoveMembers) }] },
        { name: 'Lobby', type: 'voice' },
      ],
    });
    const category = seed.channels.Matches as string;
    const proc = startWorker(emu, {
      DISCORD_GUILD_ID: seed.guildId,
      VC_CATEGORY_ID: category,
      VC_LOBBY_CHANNEL_ID: seed.channels.Lobby as string,
    });
    const [refusal] = await refusals(proc, 1);
    expect(String(refusal?.problem)).toContain(
      `permissions in the match category: the bot lacks Move Members (fix: grant Move Members to the bot role on the match category VC_CATEGORY_ID=${category}`,
    );
    const health = await healthz(proc);
    expect(health.status).toBe(503);
    expect(health.body.reason).toMatch(/Move Members/);
    expect(emu.stats().gateway.identifies).toBe(0);

    // The operator fixes the category; the next retry passes and the worker logs in, once.
    const fixed = await fetch(`${emu.apiUrl}/v10/channels/${category}/permissions/${emu.botUserId}`, {
      method: 'DELETE',
      headers: { Authorization: `Bot ${emu.botToken}` },
    });
    expect(fixed.status).toBe(204);
    await proc.waitForLine((l) => l.msg === 'worker ready', 'worker ready');
    expect((await healthz(proc)).status).toBe(200);
    // Ready: taking part in the shard leases; its one shard then identifies, once.
    await emu.waitForSessions(1);
    expect(emu.stats().gateway.identifies).toBe(1);
  });

  it('an exhausted identify budget: refuses to log in below the floor and says why', async () => {
    emu = await startDiscordEmulator({ identify: { total: 3 } });
    const seed = emu.seedGuild({ members: [{ username: 'owner' }] });
    // Two logins elsewhere (5 s apart on the emulator clock) leave one IDENTIFY of three.
    for (let i = 0; i < 2; i++) {
      const c = await loginClient(emu);
      await c.destroy();
      emu.advanceClock(5_000);
    }
    const proc = startWorker(emu, { DISCORD_GUILD_ID: seed.guildId, DISCORD_IDENTIFY_FLOOR: '2' });
    const [refusal] = await refusals(proc, 2);
    expect(String(refusal?.problem)).toMatch(
      /identify budget: only 1 of 3 IDENTIFYs left today \(floor DISCORD_IDENTIFY_FLOOR=2\); the budget resets in \d+ min, and at 0 Discord resets the bot token/,
    );
    expect((await healthz(proc)).body.reason).toMatch(/only 1 of 3 IDENTIFYs left/);
    // The budget is visible before any login, in the default gateway mode too.
    expect(await samples(proc, 'bridge_gateway_identify_remaining')).toEqual([
      'bridge_gateway_identify_remaining{app="worker"} 1',
    ]);
    expect(await samples(proc, 'bridge_worker_problem')).toEqual([
      'bridge_worker_problem{reason="identify_budget",app="worker"} 1',
    ]);
    expect(emu.stats().gateway.identifies).toBe(2);
    expect(emu.sessionStartLimit().remaining).toBe(1);
  });
});

describe('the worker against a database without every migration of its release', () => {
  it('takes no job and does not log in: unhealthy with the missing migration named, until it is applied', async () => {
    emu = await startDiscordEmulator();
    const seed = emu.seedGuild({ members: [{ username: 'owner' }] });
    const [newest] = await supabase.query<{ version: string; name: string }>(
      'select version, name from supabase_migrations.schema_migrations order by version desc limit 1',
    );
    if (!newest) throw new Error('the test bed recorded no migration');
    await supabase.query('delete from supabase_migrations.schema_migrations where version = $1', [
      newest.version,
    ]);
    try {
      // The worker with the project's secret key (sb_secret_…), not the legacy JWT the other tests use.
      const proc = startWorker(emu, {
        DISCORD_GUILD_ID: seed.guildId,
        SUPABASE_SERVICE_ROLE_KEY: supabase.secretKey,
      });
      await waitFor(
        () =>
          proc.lines.filter(
            (l) => l.msg === "not taking jobs until the database has this release's migrations",
          ).length >= 2 || undefined,
        { what: 'two schema refusals', timeoutMs: 90_000 }, // from the spawn, as refusals()
      );
      const health = await healthz(proc);
      expect(health.status).toBe(503);
      expect(health.body.reason).toContain(`database schema: 1 of `);
      expect(health.body.reason).toContain(`missing ${newest.version}`);
      expect(health.body.reason).toMatch(/fix: apply supabase\/migrations before starting this release/);
      expect(await samples(proc, 'bridge_worker_problem')).toEqual([
        'bridge_worker_problem{reason="schema",app="worker"} 1',
      ]);
      expect(emu.stats().gateway.identifies).toBe(0);
      // The operator applies it: the worker goes on by itself, and logs in once.
      await supabase.query(
        'insert into supabase_migrations.schema_migrations (version, name) values ($1, $2)',
        [newest.version, newest.name],
      );
      await proc.waitForLine((l) => l.msg === 'worker ready', 'worker ready', 60_000);
      expect((await healthz(proc)).status).toBe(200);
      await emu.waitForSessions(1);
      expect(emu.stats().gateway.identifies).toBe(1);
    } finally {
      await supabase.query(
        'insert into supabase_migrations.schema_migrations (version, name) values ($1, $2) on conflict do nothing',
        [newest.version, newest.name],
      );
    }
  });
});

describe('the worker after its login', () => {
  // discord.js routes a listener's rejection to the client's 'error' event, so this path did not crash before
  // either; what the worker adds is its own catch (the line names the interaction) and, for any other stray
  // rejection, a process-wide unhandledRejection handler in main.ts.
  it('survives an interaction whose reply fails, and logs it with the interaction', async () => {
    emu = await startDiscordEmulator();
    const seed = emu.seedGuild({ members: [{ username: 'owner' }, { username: 'alice' }] });
    const proc = startWorker(emu, { DISCORD_GUILD_ID: seed.guildId });
    await proc.waitForLine((l) => l.msg === 'worker ready', 'worker ready');
    await emu.waitForSessions(1);
    // The one-time clean-up of old per-server commands empties the guild's list: the command is added after it.
    await waitFor(
      () => (emu?.stats().byRoute['PUT /applications/:app/guilds/:guild/commands'] ?? 0) >= 1 || undefined,
      { what: 'old per-server commands cleared' },
    );
    // A command this worker does not know (left over from another version), whose reply Discord refuses.
    const added = await fetch(
      `${emu.apiUrl}/v10/applications/${emu.applicationId}/guilds/${seed.guildId}/commands`,
      {
        method: 'POST',
        headers: { Authorization: `Bot ${emu.botToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'ghost', description: 'not in this version' }),
      },
    );
    expect(added.status).toBeLessThan(300);
    emu.setFault({ route: /^POST \/interactions\//, kind: 'status', status: 500 });
    await emu.invokeCommand({ guildId: seed.guildId, userId: seed.members.alice as string, name: 'ghost' });
    const failed = await proc.waitForLine(
      (l) => l.msg === 'interaction handling failed',
      'the failure logged',
    );
    expect(failed.interactionId).toMatch(/^\d+$/);
    expect(proc.child.exitCode).toBeNull();
    expect((await healthz(proc)).status).toBe(200);
    expect(await samples(proc, 'bridge_worker_ready')).toEqual(['bridge_worker_ready{app="worker"} 1']);
    expect(await samples(proc, 'bridge_worker_problem')).toEqual([]);
    expect(await samples(proc, 'bridge_gateway_identify_remaining')).toEqual([
      `bridge_gateway_identify_remaining{app="worker"} ${emu.sessionStartLimit().remaining}`,
    ]);
  });
});
