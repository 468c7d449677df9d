/**
 * `./run preflight`: the worker's start-up checks for an operator, from the worker's environment (variables
 * or `.env`), each on its own so one problem does not hide the others. Prints what to fix; exits 1 on a problem.
 */
import {
  ConfigError,
  createProducerRedis,
  createSupabase,
  guildAllowList,
  parseEnv,
  redisUrlOf,
  servesGuild,
  supabaseKeyKind,
  supabaseRestHeaders,
  workerConfigSchema,
} from '@bridge/core';
import type { z } from 'zod';
import { type Check, discordPreflight, type GuildTarget } from './discord/preflight.ts';
import {
  apiKeyCheck,
  describePlan,
  oauthClientCheck,
  redirectUriCheck,
  subscriptionPlan,
  webhookSecretCheck,
} from './lib/faceit-preflight.ts';
import { schemaCheck } from './lib/schema-check.ts';

const env = Object.fromEntries(
  Object.entries(process.env).filter(([, v]) => v !== undefined && v !== ''),
) as Record<string, string>;
const shape = workerConfigSchema.shape;
/** One variable read the way the worker reads it, or undefined when it is missing or malformed. */
function read<K extends keyof typeof shape>(key: K): z.output<(typeof shape)[K]> | undefined {
  const r = shape[key].safeParse(env[key]);
  return r.success ? (r.data as z.output<(typeof shape)[K]>) : undefined;
}

async function configuration(): Promise<Check[]> {
  try {
    parseEnv(workerConfigSchema, env);
    return [{ name: 'configuration', ok: true, detail: 'every worker variable is set and well-formed' }];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.map((p) => ({
      name: 'configuration',
      ok: false,
      detail: p,
      fix: 'set it in the environment or .env (see .env.example)',
    }));
  }
}

async function discord(): Promise<Check[]> {
  const token = read('DISCORD_TOKEN');
  const guildId = read('DISCORD_GUILD_ID');
  if (!token) return [{ name: 'discord', ok: false, detail: 'not checked: needs DISCORD_TOKEN' }];
  // Without DISCORD_GUILD_ID: every guild set up with /setup, as stored (a guild never set up gets nothing).
  const guilds = guildId ? undefined : await setUpGuilds();
  if (guilds instanceof Error) {
    return [
      {
        name: 'discord',
        ok: false,
        detail: `not checked: no DISCORD_GUILD_ID, and the guilds set up with /setup are not readable (${guilds.message})`,
        fix: 'fix the supabase check below, or set DISCORD_GUILD_ID (single-guild mode)',
      },
    ];
  }
  return discordPreflight({
    token,
    guildId,
    guilds,
    apiUrl: read('DISCORD_API_URL') ?? 'https://discord.com/api', // the default, as the worker has it
    categoryId: read('VC_CATEGORY_ID'),
    lobbyId: read('VC_LOBBY_CHANNEL_ID'),
    identifyFloor: read('DISCORD_IDENTIFY_FLOOR') ?? 50,
  });
}

/** The guild_settings rows (guild, category, lobby), read with the service key like the worker does. */
async function setUpGuilds(): Promise<GuildTarget[] | Error> {
  const url = read('SUPABASE_URL');
  const key = read('SUPABASE_SERVICE_ROLE_KEY');
  if (!url || !key) return new Error('needs SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY');
  try {
    const res = await fetch(
      `${url.replace(/\/$/, '')}/rest/v1/guild_settings?select=guild_id,category_id,lobby_channel_id&order=guild_id`,
      { headers: supabaseRestHeaders(key), signal: AbortSignal.timeout(5000) },
    );
    if (!res.ok) return new Error(`GET /rest/v1/guild_settings answered ${res.status}`);
    const rows = (await res.json()) as {
      guild_id: string;
      category_id: string | null;
      lobby_channel_id: string | null;
    }[];
    return rows.map((r) => ({
      guildId: r.guild_id,
      categoryId: r.category_id ?? undefined,
      lobbyId: r.lobby_channel_id ?? undefined,
    }));
  } catch (err) {
    return err as Error;
  }
}

/**
 * Servers set up (guild_settings) that BRIDGE_GUILDS / DISCORD_GUILD_ID do not serve: the workers would leave
 * them and forget their settings. A warning, so an operator upgrading sees it before starting the workers.
 */
async function served(): Promise<Check[]> {
  const allow = guildAllowList({
    bridgeGuilds: read('BRIDGE_GUILDS'),
    homeGuildId: read('DISCORD_GUILD_ID'),
  });
  const name = 'served servers';
  if (allow === 'any') {
    return [
      {
        name,
        ok: true,
        detail: 'any server that adds the bot (BRIDGE_GUILDS=*, or neither it nor DISCORD_GUILD_ID set)',
      },
    ];
  }
  const guilds = await setUpGuilds();
  // Unreadable: the supabase check says why.
  if (guilds instanceof Error) return [];
  const unserved = guilds.filter((g) => !servesGuild(allow, g.guildId));
  if (unserved.length === 0) {
    return [
      { name, ok: true, detail: `${[...allow].join(', ')}; every server set up with /setup is among them` },
    ];
  }
  return unserved.map((g) => ({
    name,
    ok: true,
    warn: true,
    detail: `guild ${g.guildId} is set up but not served (BRIDGE_GUILDS / DISCORD_GUILD_ID): the workers will leave it and forget its settings, follows and server links`,
    fix: `to keep serving it, add ${g.guildId} to BRIDGE_GUILDS (or set BRIDGE_GUILDS=*) before starting the workers`,
  }));
}

async function supabase(): Promise<Check[]> {
  const url = read('SUPABASE_URL');
  const key = read('SUPABASE_SERVICE_ROLE_KEY');
  if (!url || !key) {
    return [
      {
        name: 'supabase',
        ok: false,
        detail: 'not checked: needs SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY',
      },
    ];
  }
  try {
    const kind = supabaseKeyKind(key);
    if (kind === 'publishable' || kind === 'anon') {
      return [
        {
          name: 'supabase',
          ok: false,
          detail: `SUPABASE_SERVICE_ROLE_KEY is the project's ${kind} key, which reads nothing here`,
          fix: 'use the secret key (Project Settings → API Keys → Secret keys, sb_secret_…) or the legacy service_role key',
        },
      ];
    }
    const res = await fetch(`${url.replace(/\/$/, '')}/rest/v1/player_links?select=discord_id&limit=1`, {
      headers: supabaseRestHeaders(key),
      signal: AbortSignal.timeout(5000),
    });
    if (res.ok) {
      return [
        { name: 'supabase', ok: true, detail: 'player_links is readable' },
        await schemaCheck(createSupabase(url, key)),
      ];
    }
    return [
      {
        name: 'supabase',
        ok: false,
        detail: `GET /rest/v1/player_links answered ${res.status}`,
        fix:
          res.status === 401 || res.status === 403
            ? "set SUPABASE_SERVICE_ROLE_KEY to the project's secret key (sb_secret_…) or its legacy service_role key"
            : 'apply supabase/migrations (supabase db push) and check SUPABASE_URL',
      },
    ];
  } catch (err) {
    return [
      {
        name: 'supabase',
        ok: false,
        detail: `cannot reach ${url}: ${(err as Error).message}`,
        fix: 'check SUPABASE_URL',
      },
    ];
  }
}

async function redis(): Promise<Check[]> {
  const url = redisUrlOf({ REDIS_URL: read('REDIS_URL'), REDIS_CLUSTER_NODES: read('REDIS_CLUSTER_NODES') });
  const client = createProducerRedis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
  });
  client.on('error', () => {});
  try {
    // A cluster client keeps retrying its seed nodes: bound the whole check.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5000);
    });
    await Promise.race([client.connect().then(() => client.ping()), timeout]).finally(() =>
      clearTimeout(timer),
    );
    return [
      { name: 'redis', ok: true, detail: client.isCluster ? 'cluster PING answered' : 'PING answered' },
    ];
  } catch (err) {
    return [
      {
        name: 'redis',
        ok: false,
        detail: `cannot reach Redis: ${(err as Error).message}`,
        fix: 'check REDIS_URL (or REDIS_CLUSTER_NODES)',
      },
    ];
  } finally {
    client.disconnect();
  }
}

/** FACEIT: the Data API key, the OAuth client, the webhook secret, the redirect URI, and the subscriptions to create. */
async function faceit(): Promise<Check[]> {
  const checks: Check[] = [];
  const apiUrl = read('FACEIT_API_URL') ?? 'https://open.faceit.com/data/v4';
  const key = read('FACEIT_API_KEY');
  checks.push(
    key
      ? await apiKeyCheck(apiUrl, key)
      : { name: 'faceit api key', ok: false, detail: 'not checked: needs FACEIT_API_KEY' },
  );
  const clientId = read('FACEIT_CLIENT_ID');
  const clientSecret = read('FACEIT_CLIENT_SECRET');
  const redirectUri = read('FACEIT_REDIRECT_URI') ?? env.FACEIT_REDIRECT_URI;
  checks.push(
    clientId && clientSecret && redirectUri
      ? await oauthClientCheck({
          tokenUrl: read('FACEIT_TOKEN_URL') ?? 'https://api.faceit.com/auth/v1/oauth/token',
          clientId,
          clientSecret,
          redirectUri,
        })
      : {
          name: 'faceit oauth client',
          ok: false,
          detail: 'not checked: needs FACEIT_CLIENT_ID, FACEIT_CLIENT_SECRET and FACEIT_REDIRECT_URI',
        },
  );
  checks.push(webhookSecretCheck(env.FACEIT_WEBHOOK_SECRET));
  if (redirectUri && URL.canParse(redirectUri)) {
    checks.push(
      redirectUriCheck(redirectUri, (read('NODE_ENV') ?? 'production') === 'production', env.BRIDGE_HOST),
    );
  }
  const url = read('SUPABASE_URL');
  const dbKey = read('SUPABASE_SERVICE_ROLE_KEY');
  if (url && dbKey && key) {
    try {
      const plan = await subscriptionPlan(createSupabase(url, dbKey), apiUrl, key);
      for (const line of describePlan(plan, { listIds: false })) {
        checks.push({ name: 'faceit subscription', ok: true, detail: line });
      }
      if (plan.userIds) {
        checks.push({
          name: 'faceit subscription',
          ok: true,
          detail: 'the player ids to paste: ./run faceit-subscription',
        });
      }
    } catch (err) {
      checks.push({
        name: 'faceit subscription',
        ok: true,
        warn: true,
        detail: `not worked out: ${(err as Error).message}`,
      });
    }
  }
  return checks;
}

const results = await Promise.all([configuration(), discord(), served(), supabase(), redis(), faceit()]);
let failed = 0;
let warnings = 0;
for (const c of results.flat()) {
  if (!c.ok) failed++;
  if (c.ok && c.warn) warnings++;
  process.stdout.write(`${!c.ok ? 'FAIL' : c.warn ? 'WARN' : 'ok  '} ${c.name}: ${c.detail}\n`);
  if (c.fix) process.stdout.write(`     fix: ${c.fix}\n`);
}
// A warning is an optional feature working with less: it does not fail the checks.
const noted = warnings > 0 ? ` (${warnings} warning(s))` : '';
process.stdout.write(
  failed === 0 ? `preflight: all checks passed${noted}\n` : `preflight: ${failed} problem(s)${noted}\n`,
);
process.exitCode = failed === 0 ? 0 : 1;
