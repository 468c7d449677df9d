/**
 * discord.js without its own gateway session. With DISCORD_SHARDING=leases a copy's gateway is a set of
 * cacheless @discordjs/ws shards (gateway/), so discord.js never sees a READY and fills no cache. The
 * structures are still the best way to call REST and to run the command handlers, so this file builds them
 * from REST answers and from raw gateway payloads. discord.js marks those constructors and its action
 * handlers private (they are what its own READY and dispatch handlers call): every such use is here.
 */
import {
  type APIApplication,
  type APIInteraction,
  type APIUser,
  Client,
  ClientApplication,
  ClientUser,
  GatewayIntentBits,
  type Guild,
  Routes,
  VoiceState,
} from 'discord.js';

type Ctor<T, A extends unknown[]> = new (...args: A) => T;

/**
 * A discord.js client ready for REST: token set, `client.user` and `client.application` read over REST
 * (as READY would fill them). It opens no gateway session.
 */
export async function restOnlyClient(opts: {
  token: string;
  apiUrl: string;
  restTimeoutMs?: number;
  rest?: ConstructorParameters<typeof Client>[0]['rest'];
}): Promise<Client<true>> {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates],
    rest: { api: opts.apiUrl, timeout: opts.restTimeoutMs ?? 15_000, retries: 3, ...opts.rest },
  });
  client.token = opts.token;
  client.rest.setToken(opts.token);
  const [user, app] = await Promise.all([
    client.rest.get(Routes.user()) as Promise<APIUser>,
    client.rest.get(Routes.currentApplication()) as Promise<APIApplication>,
  ]);
  const ready = client as Client<true>;
  ready.user = new (ClientUser as unknown as Ctor<ClientUser, [Client, APIUser]>)(client, user);
  client.users.cache.set(user.id, ready.user);
  ready.application = new (ClientApplication as unknown as Ctor<ClientApplication, [Client, APIApplication]>)(
    client,
    app,
  );
  return ready;
}

/**
 * A guild as REST and the voice mirror describe it: its roles (GET /guilds/{id}), its channels
 * (GET /guilds/{id}/channels) and who is in which voice channel (`voice`: user id → channel id, from Redis).
 * Not cached on the client: every call is a fresh picture. null when the bot is not in the guild.
 */
export async function restGuild(
  client: Client<true>,
  guildId: string,
  voice: ReadonlyMap<string, string>,
): Promise<Guild | null> {
  const guild = await client.guilds.fetch({ guild: guildId, force: true, cache: false }).catch(() => null);
  if (!guild) return null;
  await guild.channels.fetch();
  const states = guild.voiceStates as unknown as { _add(data: unknown, cache?: boolean): VoiceState };
  for (const [userId, channelId] of voice) states._add(rawVoiceState(guildId, userId, channelId));
  return guild;
}

/**
 * Puts a fresh copy of the guild (roles, channels) in the client's cache, for what reads `interaction.guild`
 * (the command handlers). Channels are re-read whole, so deleted ones do not linger.
 */
export async function cacheGuild(client: Client<true>, guildId: string): Promise<Guild | null> {
  const guild = await client.guilds.fetch({ guild: guildId, force: true }).catch(() => null);
  if (!guild) return null;
  guild.channels.cache.clear();
  await guild.channels.fetch();
  return guild;
}

/** A voice state object for `userId` in `channelId` (null: out of voice), for the late-join listener. */
export function voiceStateOf(guild: Guild, userId: string, channelId: string | null): VoiceState {
  return new (VoiceState as unknown as Ctor<VoiceState, [Guild, unknown]>)(
    guild,
    rawVoiceState(guild.id, userId, channelId),
  );
}

/**
 * Turns a raw INTERACTION_CREATE into discord.js' interaction and emits `interactionCreate` on the client,
 * exactly as discord.js' own dispatch handler does.
 */
export function emitInteraction(client: Client, data: APIInteraction): void {
  const actions = (client as unknown as { actions: { InteractionCreate: { handle(d: unknown): void } } })
    .actions;
  actions.InteractionCreate.handle(data);
}

function rawVoiceState(guildId: string, userId: string, channelId: string | null) {
  return {
    guild_id: guildId,
    user_id: userId,
    channel_id: channelId,
    session_id: '',
    deaf: false,
    mute: false,
    self_deaf: false,
    self_mute: false,
    self_video: false,
    suppress: false,
    request_to_speak_timestamp: null,
  };
}
