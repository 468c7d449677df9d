/** Test helpers: a real discord.js client logged into the emulator, and waiting for client events. */
import { Client, type ClientEvents, type ClientOptions, GatewayIntentBits } from 'discord.js';
import type { DiscordEmulator } from './emulator.ts';

/** Non-privileged, as the bridge uses. GuildMembers needs `privilegedIntents: { guildMembers: true }`. */
export const DEFAULT_TEST_INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates];

/** Logs a discord.js client into the emulator and resolves once `clientReady` fired. */
export async function loginClient(
  emu: DiscordEmulator,
  opts: { intents?: ClientOptions['intents']; rest?: ClientOptions['rest']; token?: string } = {},
): Promise<Client<true>> {
  const client = new Client({
    intents: opts.intents ?? DEFAULT_TEST_INTENTS,
    // Bounds, not expected times: a loaded machine can stall this process for seconds. Both end early
    // when the answer comes (a REST reply; every guild's GUILD_CREATE).
    rest: { api: emu.apiUrl, timeout: 30_000, ...opts.rest },
    waitGuildTimeout: 15_000,
  });
  const ready = new Promise<void>((resolve) => client.once('clientReady', () => resolve()));
  try {
    await client.login(opts.token ?? emu.botToken);
    await ready;
  } catch (err) {
    await client.destroy();
    throw err;
  }
  return client as Client<true>;
}

/** Resolves with the arguments of the next `event` for which predicate returns true. */
export function nextEvent<K extends keyof ClientEvents>(
  client: Client,
  event: K,
  predicate: (...args: ClientEvents[K]) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const listener = (...args: ClientEvents[K]) => {
      if (!predicate(...args)) return;
      cleanup();
      resolve(args);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for client event ${String(event)}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      client.off(event, listener);
    };
    client.on(event, listener);
  });
}
