import type { Logger } from '@bridge/core';
import { Client, Events, GatewayIntentBits } from 'discord.js';

export interface DiscordClientOptions {
  token: string;
  apiUrl: string;
  log: Logger;
  /** Per-request REST timeout; discord.js retries timeouts and 5xx itself, and waits out 429s. */
  restTimeoutMs?: number;
}

/**
 * The gateway + REST client. Intents: Guilds (channels, roles) and GuildVoiceStates (who is in which
 * voice channel, and late joiners). No privileged intent is needed: members are resolved by id.
 */
export async function connectDiscord(opts: DiscordClientOptions): Promise<Client<true>> {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates],
    rest: { api: opts.apiUrl, timeout: opts.restTimeoutMs ?? 15_000, retries: 3 },
  });
  client.rest.on('rateLimited', (info) =>
    opts.log.debug(
      { route: info.route, retryAfter: info.retryAfter, global: info.global },
      'discord rate limited',
    ),
  );
  client.on(Events.Error, (err) => opts.log.error({ err }, 'discord client error'));
  client.on(Events.ShardDisconnect, (event) =>
    opts.log.warn({ code: event.code }, 'discord gateway disconnected'),
  );
  const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, (c) => resolve(c)));
  await client.login(opts.token);
  return ready;
}
