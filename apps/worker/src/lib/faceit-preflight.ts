import { randomBytes } from 'node:crypto';
import { isLoopbackHost, MATCH_EVENTS, type SupabaseClient } from '@bridge/core';
import type { Check } from '../discord/preflight.ts';

// The preflight's FACEIT checks: what a wrong value would otherwise show only at the first real match or
// the first /link. Each call is one request and never changes anything at FACEIT.

const TIMEOUT = { signal: () => AbortSignal.timeout(10_000) };

/** FACEIT_API_KEY against the Data API: a lookup of a nickname nobody has (404 and 200 both mean accepted). */
export async function apiKeyCheck(apiUrl: string, key: string): Promise<Check> {
  const name = 'faceit api key';
  try {
    const res = await fetch(
      `${apiUrl.replace(/\/$/, '')}/players?nickname=bridge-preflight-${randomBytes(4).toString('hex')}`,
      {
        headers: { Authorization: `Bearer ${key}` },
        signal: TIMEOUT.signal(),
      },
    );
    if (res.status === 200 || res.status === 404) {
      return { name, ok: true, detail: 'the Data API accepts FACEIT_API_KEY' };
    }
    if (res.status === 401 || res.status === 403) {
      return {
        name,
        ok: false,
        detail: `the Data API refuses FACEIT_API_KEY (${res.status})`,
        fix: 'App Studio → your app → API Keys: create a Server side key and set FACEIT_API_KEY to it (a client-side key is refused)',
      };
    }
    if (res.status === 429)
      return { name, ok: true, warn: true, detail: 'the key is accepted but rate limited right now (429)' };
    return { name, ok: false, detail: `the Data API answered ${res.status}`, fix: 'check FACEIT_API_URL' };
  } catch (err) {
    return {
      name,
      ok: false,
      detail: `cannot reach the Data API: ${(err as Error).message}`,
      fix: 'check FACEIT_API_URL and the network',
    };
  }
}

/**
 * FACEIT_CLIENT_ID/SECRET against the token endpoint, with a made-up authorization code: the endpoint checks the
 * client first (a wrong one: 401 invalid_client) and only then the code (a right client: 400 invalid_grant).
 * The code is no one's, so nothing is signed in or spent.
 */
export async function oauthClientCheck(opts: {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}): Promise<Check> {
  const name = 'faceit oauth client';
  // RFC 6749 §2.3.1: each part form-encoded, then Basic (what the worker's oauth4webapi client sends).
  const basic = Buffer.from(
    `${encodeURIComponent(opts.clientId)}:${encodeURIComponent(opts.clientSecret)}`,
  ).toString('base64');
  try {
    const res = await fetch(opts.tokenUrl, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: `bridge-preflight-${randomBytes(12).toString('hex')}`,
        redirect_uri: opts.redirectUri,
        code_verifier: randomBytes(32).toString('base64url'),
      }),
      signal: TIMEOUT.signal(),
    });
    const body = (await res.json().catch(() => ({}))) as { error?: string };
    if (res.status === 400 && body.error === 'invalid_grant') {
      return {
        name,
        ok: true,
        detail:
          'the token endpoint accepts FACEIT_CLIENT_ID and FACEIT_CLIENT_SECRET (a made-up code was refused as invalid_grant)',
      };
    }
    if (res.status === 401 || body.error === 'invalid_client' || body.error === 'unauthorized_client') {
      return {
        name,
        ok: false,
        detail: `the token endpoint refuses the client (${res.status}${body.error ? ` ${body.error}` : ''}): every /link would fail`,
        fix: 'App Studio → your app → OAuth2 client: copy its Client ID and Client Secret into FACEIT_CLIENT_ID and FACEIT_CLIENT_SECRET (the client needs a consent screen first)',
      };
    }
    return {
      name,
      ok: false,
      detail: `unexpected answer from the token endpoint: ${res.status} ${body.error ?? ''}`.trim(),
      fix: 'check FACEIT_TOKEN_URL',
    };
  } catch (err) {
    return {
      name,
      ok: false,
      detail: `cannot reach the token endpoint: ${(err as Error).message}`,
      fix: 'check FACEIT_TOKEN_URL and the network',
    };
  }
}

/** The API's FACEIT_WEBHOOK_SECRET, when this environment has it (one .env for both apps). */
export function webhookSecretCheck(secret: string | undefined): Check {
  const name = 'faceit webhook secret';
  const fix =
    "run ./run gen-keys (it writes a random one into .env), then paste it into App Studio → Webhooks → the subscription's security header";
  if (!secret)
    return { name, ok: true, warn: true, detail: "not set here (it is the API's variable): not checked" };
  if (/^change[-_ ]?me/i.test(secret))
    return { name, ok: false, detail: 'FACEIT_WEBHOOK_SECRET is still the placeholder of .env.example', fix };
  // Length and variety: a word or a short repeated pattern is guessable (./run gen-keys writes 32 characters).
  if (secret.length < 24 || new Set(secret).size < 10) {
    return {
      name,
      ok: false,
      detail: `FACEIT_WEBHOOK_SECRET is weak (${secret.length} characters, ${new Set(secret).size} different)`,
      fix,
    };
  }
  return { name, ok: true, detail: 'FACEIT_WEBHOOK_SECRET is long and varied' };
}

/** Where FACEIT sends players back after sign-in: https, reachable from a player's browser, the API's callback path. */
export function redirectUriCheck(uri: string, production: boolean, bridgeHost?: string): Check {
  const name = 'faceit redirect uri';
  const url = new URL(uri);
  const problems = [
    url.protocol !== 'https:' && 'is not https',
    isLoopbackHost(url.hostname) && 'is a loopback address no player can reach',
    url.pathname !== '/faceit/callback' && `ends in ${url.pathname}, not /faceit/callback`,
    bridgeHost && url.host !== bridgeHost && `is on ${url.host}, not BRIDGE_HOST ${bridgeHost}`,
  ].filter((p): p is string => Boolean(p));
  if (problems.length === 0)
    return { name, ok: true, detail: `${uri} (set the same in App Studio → OAuth2 client → Redirect URI)` };
  return {
    name,
    ok: !production,
    warn: !production,
    detail: `FACEIT_REDIRECT_URI ${problems.join(', ')}${production ? '' : ' (allowed outside NODE_ENV=production)'}`,
    fix: 'set FACEIT_REDIRECT_URI=https://<your API host>/faceit/callback, and the same in App Studio → OAuth2 client',
  };
}

export interface SubscriptionPlan {
  /** Organizer id → what each covers ("hub <id> (<name>)", "organizer <id>"). */
  organizers: Map<string, string[]>;
  /** FACEIT ids of every linked player, when a server follows `members` or FACEIT's matchmaking. */
  userIds: string[] | null;
  /** Why a User subscription is needed (which follows), when it is. */
  userReasons: string[];
  /** Hubs/championships whose organizer could not be read. */
  unknown: string[];
  followsAll: boolean;
}

/**
 * Which FACEIT webhook subscriptions the deployment needs for what its servers follow. App Studio has Organizer,
 * User and Game subscriptions (no hub type): a hub or championship is covered by an Organizer subscription of its
 * organizer; `members` and FACEIT's own matchmaking (`organizer faceit`) only by a User subscription listing
 * the players, which App Studio keeps as a static list.
 */
export async function subscriptionPlan(
  db: SupabaseClient,
  apiUrl: string,
  apiKey: string,
): Promise<SubscriptionPlan> {
  const follows = await db.from('guild_follows').select('kind, target_id').order('kind').order('target_id');
  if (follows.error) throw new Error(`guild_follows: ${follows.error.message}`);
  const rows = follows.data as { kind: string; target_id: string }[];
  const plan: SubscriptionPlan = {
    organizers: new Map(),
    userIds: null,
    userReasons: [],
    unknown: [],
    followsAll: false,
  };
  const cover = (org: string, what: string) => {
    const list = plan.organizers.get(org) ?? [];
    if (!list.includes(what)) list.push(what);
    plan.organizers.set(org, list);
  };
  const seen = new Set<string>();
  for (const { kind, target_id: id } of rows) {
    if (seen.has(`${kind}:${id}`)) continue;
    seen.add(`${kind}:${id}`);
    if (kind === 'all') plan.followsAll = true;
    else if (kind === 'members') plan.userReasons.push('a server follows members');
    else if (kind === 'organizer' && id === 'faceit')
      plan.userReasons.push("a server follows FACEIT's matchmaking (organizer faceit)");
    else if (kind === 'organizer') cover(id, `organizer ${id}`);
    else if (kind === 'hub' || kind === 'championship') {
      const res = await fetch(
        `${apiUrl.replace(/\/$/, '')}/${kind === 'hub' ? 'hubs' : 'championships'}/${encodeURIComponent(id)}`,
        {
          headers: { Authorization: `Bearer ${apiKey}` },
          signal: TIMEOUT.signal(),
        },
      ).catch(() => null);
      const body = res?.ok ? ((await res.json()) as { organizer_id?: string; name?: string }) : null;
      if (body?.organizer_id) cover(body.organizer_id, `${kind} ${id}${body.name ? ` (${body.name})` : ''}`);
      else plan.unknown.push(`${kind} ${id} (the Data API answered ${res?.status ?? 'nothing'})`);
    }
  }
  if (plan.userReasons.length > 0) {
    const ids: string[] = [];
    for (let from = 0; ; from += 1000) {
      const page = await db
        .from('player_links')
        .select('faceit_id')
        .order('faceit_id')
        .range(from, from + 999);
      if (page.error) throw new Error(`player_links: ${page.error.message}`);
      ids.push(...(page.data as { faceit_id: string }[]).map((r) => r.faceit_id));
      if (page.data.length < 1000) break;
    }
    plan.userIds = ids;
  }
  return plan;
}

/** The plan as lines an operator follows in App Studio → Webhooks. */
export function describePlan(plan: SubscriptionPlan, opts: { listIds: boolean }): string[] {
  const lines: string[] = [];
  for (const [org, covers] of plan.organizers) {
    lines.push(`Organizer subscription for organizer ${org}: covers ${covers.join(', ')}`);
  }
  if (plan.userIds) {
    lines.push(
      `User subscription listing every linked player (${plan.userIds.length}; ${plan.userReasons.join('; ')}). App Studio keeps it as a fixed list: update it as people /link.`,
    );
    if (opts.listIds) lines.push(...plan.userIds);
  }
  for (const u of plan.unknown) lines.push(`organizer not found for ${u}: check the id in /setup show`);
  // `all` (also what single-guild mode's DISCORD_GUILD_ID follows) names no organizer: alone, the plan cannot
  // say which subscription to create, and must not point at an empty list "above".
  if (plan.followsAll && lines.length > 0) {
    lines.push('A server follows all: it gets every match the subscriptions above deliver.');
  } else if (plan.followsAll) {
    lines.push(
      "A server follows all (as single-guild mode's DISCORD_GUILD_ID does): it gets every match your subscriptions deliver, and no follow names which to create: an Organizer subscription for the organizer of your hubs or championships, or a User subscription listing your players.",
    );
  }
  if (lines.length === 0) lines.push('No server follows anything yet: /setup follow in a server first.');
  lines.push(`Events to tick on each subscription: ${MATCH_EVENTS.join(', ')}.`);
  return lines;
}
