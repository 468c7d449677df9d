import type { Logger } from '@bridge/core';
import { Client, Events, GatewayIntentBits, type RateLimitData } from 'discord.js';

export interface DiscordClientOptions {
  token: string;
  apiUrl: string;
  log: Logger;
  /** Per-request REST timeout; discord.js retries timeouts and 5xx itself, and waits out 429s. */
  restTimeoutMs?: number;
}

/**
 * A channel create that would wait longer than this for a rate limit (a sublimit, the daily creation
 * cap) fails at once with discord.js' RateLimitError instead of sleeping inside a job slot; the job is
 * rescheduled for when Discord allows it (consumers/match-scheduling.ts).
 */
export const LONG_RATE_LIMIT_MS = 3000;
const READY_TIMEOUT_MS = 120_000;

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
 * The gateway + REST client. Intents: Guilds (channels, roles) and GuildVoiceStates (who is in which
 * voice channel, and late joiners). No privileged intent is needed: members are resolved by id.
 */
export async function connectDiscord(opts: DiscordClientOptions): Promise<Client<true>> {
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
    opts.log.debug(
      { route: info.route, retryAfter: info.retryAfter, global: info.global },
      'discord rate limited',
    ),
  );
  // Each Discord answer, for `bench/profile.ts` (only at debug: the listener is not free).
  if (opts.log.isLevelEnabled('debug')) {
    client.rest.on('response', (req, res) =>
      opts.log.debug({ method: req.method, route: req.route, status: res.status }, 'discord answered'),
    );
  }
  client.on(Events.Error, (err) => opts.log.error({ err }, 'discord client error'));
  client.on(Events.ShardDisconnect, (event) =>
    opts.log.warn({ closeCode: event.code }, 'discord gateway disconnected'),
  );
  const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, (c) => resolve(c)));
  let timer: NodeJS.Timeout | undefined;
  // A session that never becomes ready (e.g. sharding required) is reported, not waited on forever.
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no READY from the gateway within ${READY_TIMEOUT_MS / 1000} s`)),
      READY_TIMEOUT_MS,
    );
  });
  try {
    await client.login(opts.token);
    return await Promise.race([ready, timeout]);
  } catch (err) {
    // No half-open client left behind (its sockets would keep reconnecting).
    await client.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
