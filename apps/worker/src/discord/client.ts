import type { Logger } from '@bridge/core';
import { Client, type ClientUser, GatewayIntentBits, type RateLimitData } from 'discord.js';

export interface DiscordClientOptions {
  token: string;
  apiUrl: string;
  log?: Logger;
  /** Per-request REST timeout; discord.js retries timeouts and 5xx itself, and waits out 429s. */
  restTimeoutMs?: number;
}

/**
 * A channel create that would wait longer than this for a rate limit (a sublimit, the daily creation
 * cap) fails at once with discord.js' RateLimitError instead of sleeping inside a job slot; the job is
 * rescheduled for when Discord allows it (consumers/match-scheduling.ts).
 */
export const LONG_RATE_LIMIT_MS = 3000;

/** True for the request `rejectOnRateLimit` should refuse: a channel create facing a long wait. */
export function isLongCreateWait(d: RateLimitData): boolean {
  const wait = Math.max(d.retryAfter, d.sublimitTimeout, d.timeToReset);
  return (
    d.method.toUpperCase() === 'POST' &&
    /^\/guilds\/[^/]+\/channels$/.test(d.route) &&
    wait > LONG_RATE_LIMIT_MS
  );
}

/**
 * The worker's discord.js client: REST only. The gateway sessions are the shards' (gateway/), so discord.js
 * never sees a READY and fills no cache; `client.user` is read over REST (`GET /users/@me`, as READY would
 * fill it: a `User` from discord.js' public `users.fetch`, of which the bridge reads only the id).
 * `client.application` stays null: what needs the application reads it over REST.
 */
export async function restClient(opts: DiscordClientOptions): Promise<Client<true>> {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates],
    rest: {
      api: opts.apiUrl,
      timeout: opts.restTimeoutMs ?? 15_000,
      retries: 3,
      rejectOnRateLimit: isLongCreateWait,
    },
  });
  client.rest.on('rateLimited', (info) =>
    opts.log?.debug(
      { route: info.route, retryAfter: info.retryAfter, global: info.global },
      'discord rate limited',
    ),
  );
  // Each Discord answer, for `bench/profile.ts` (only at debug: the listener is not free).
  if (opts.log?.isLevelEnabled('debug')) {
    client.rest.on('response', (req, res) =>
      opts.log?.debug({ method: req.method, route: req.route, status: res.status }, 'discord answered'),
    );
  }
  client.token = opts.token;
  client.rest.setToken(opts.token);
  const ready = client as Client<true>;
  ready.user = (await client.users.fetch('@me')) as ClientUser;
  return ready;
}
