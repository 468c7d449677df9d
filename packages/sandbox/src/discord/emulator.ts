/** DiscordEmulator: one HTTP server on 127.0.0.1 serving REST /api/v10, the gateway and the control API. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FixedWindows } from '../shared/fixed-window.ts';
import { sendJson } from '../shared/http.ts';
import type { ApplicationOwnerSpec } from './application-owner.ts';
import { Clock } from './clock.ts';
import { handleControl } from './control.ts';
import { DailyCap, REPORTED_DAILY_CREATES } from './daily-cap.ts';
import { type FaultSpec, Faults, type RequestHold } from './faults.ts';
import { Gateway, type SessionStartLimit } from './gateway.ts';
import {
  type InteractionRecord,
  InteractionRegistry,
  type InteractionView,
  type InvokeCommandInput,
} from './interactions.ts';
import { MessageLog } from './messages.ts';
import { RateLimiter, type RateLimitOptions } from './ratelimit.ts';
import { handleRest } from './rest.ts';
import { createRole, moveRole, setRolePermissions } from './role-store.ts';
import { Router } from './router.ts';
import { allRoutes } from './routes/index.ts';
import type { SessionLogEntry } from './session-log.ts';
import { randomToken, snowflake } from './snowflake.ts';
import { Store } from './state.ts';
import { type DiscordStats, emptyStats } from './stats.ts';
import type { DmRecord, GuildSeed, GuildSpec, MemberSpec, StateSnapshot } from './types.ts';

export interface DiscordEmulatorOptions {
  /** default 0 (a free port) */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  botToken?: string;
  botUserId?: string;
  /** default: the bot user id, as for bots created in the developer portal */
  applicationId?: string;
  /**
   * Who owns the application (`GET /applications/@me`): a developer's account (default: a user `app-owner`,
   * not the bot) or a team (`{ team: { members: [{ username, role?, pending? }] } }`, the first member owns it).
   */
  applicationOwner?: ApplicationOwnerSpec;
  botUsername?: string;
  /** false disables rate limiting (and its headers) */
  rateLimits?: RateLimitOptions | false;
  /** HELLO heartbeat_interval; default 41250 */
  heartbeatIntervalMs?: number;
  /** initial interaction callbacks later than this get 10062 Unknown interaction; default 3000, 0 = never */
  interactionAckDeadlineMs?: number;
  /** interaction tokens (follow-ups, @original) are refused with 401 50027 after this; default 15 min */
  interactionTokenTtlMs?: number;
  /**
   * 'every-session' (default, as on Discord): INTERACTION_CREATE goes to every session of the shard and
   * the second acknowledgement gets 40060. 'one-session': round-robin to one session (the lenient world).
   */
  interactionDelivery?: 'every-session' | 'one-session';
  /**
   * CHANNEL_CREATE for a channel the bot created is dispatched this long after the REST reply (Discord is
   * eventually consistent: other sessions learn of the channel later); default 50, 0 = before the reply
   */
  channelCreateDelayMs?: number;
  /**
   * privileged intents enabled for the application (as in the developer portal): default none, so an IDENTIFY
   * asking for GuildMembers, GuildPresences or MessageContent is closed with 4014 unless a test enables it
   */
  privilegedIntents?: { guildMembers?: boolean; guildPresences?: boolean; messageContent?: boolean };
  /**
   * Discord's limits; defaults 500 channels per guild, 50 per category and 500 channel creations per guild per
   * 24 h of emulator clock (`REPORTED_DAILY_CREATES.perBot`; `.perServer` is the other reported figure, 2,000;
   * 0 = no daily cap: only for a bench that creates many channels)
   */
  limits?: { channelsPerGuild?: number; channelsPerCategory?: number; channelCreatesPerDay?: number };
  /** identify budget: default 1000 IDENTIFYs per 24 h, max_concurrency 1 (one IDENTIFY per 5 s) */
  identify?: { total?: number; maxConcurrency?: number };
  /** dispatches kept per session for RESUME (default 1000) and resumable window (default 5 min) */
  gateway?: { replayBuffer?: number; resumeWindowMs?: number };
  /**
   * Sharding as on Discord: a session whose shard would carry more than `guildsPerShard` guilds (default 2500)
   * is closed with 4011; `GET /gateway/bot` recommends one shard per `recommendedGuildsPerShard` (default 1000).
   * Tests use small numbers.
   */
  sharding?: { guildsPerShard?: number; recommendedGuildsPerShard?: number };
}

export class DiscordEmulator {
  readonly url: string;
  readonly apiUrl: string;
  readonly gatewayUrl: string;
  readonly applicationId: string;
  readonly botUserId: string;
  readonly #server: Server;
  readonly #store: Store;
  readonly #interactions: InteractionRegistry;
  readonly #messages: MessageLog;
  readonly #gateway: Gateway;
  readonly #faults = new Faults();
  readonly #hanging = new Set<ServerResponse>();
  readonly #router = new Router(allRoutes);
  readonly #limiter: RateLimiter;
  readonly #oneSessionPerInteraction: boolean;
  readonly #clock = new Clock();
  readonly #createCap: DailyCap;
  readonly #renames = new FixedWindows();
  #token: string;
  #stats: DiscordStats = emptyStats();

  /** Use startDiscordEmulator(). */
  constructor(
    server: Server,
    init: {
      url: string;
      botToken: string;
      botUserId: string;
      applicationId: string;
      opts: DiscordEmulatorOptions;
    },
  ) {
    const { opts } = init;
    this.#server = server;
    this.url = init.url;
    this.apiUrl = `${init.url}/api`;
    this.gatewayUrl = `${init.url.replace(/^http/, 'ws')}/gateway`;
    this.#token = init.botToken;
    this.#createCap = new DailyCap(opts.limits?.channelCreatesPerDay ?? REPORTED_DAILY_CREATES.perBot);
    this.botUserId = init.botUserId;
    this.applicationId = init.applicationId;
    this.#store = new Store({
      botUserId: init.botUserId,
      botUsername: opts.botUsername ?? 'Sandbox Bridge',
      applicationId: init.applicationId,
      owner: opts.applicationOwner,
      limits: {
        channelsPerGuild: opts.limits?.channelsPerGuild ?? 500,
        channelsPerCategory: opts.limits?.channelsPerCategory ?? 50,
      },
      channelCreateDelayMs: opts.channelCreateDelayMs ?? 50,
    });
    this.#interactions = new InteractionRegistry(this.#store, {
      ackDeadlineMs: opts.interactionAckDeadlineMs ?? 3000,
      tokenTtlMs: opts.interactionTokenTtlMs ?? 15 * 60_000,
    });
    this.#oneSessionPerInteraction = opts.interactionDelivery === 'one-session';
    this.#messages = new MessageLog();
    this.#limiter = new RateLimiter(opts.rateLimits);
    const p = opts.privilegedIntents ?? {};
    this.#gateway = new Gateway({
      store: this.#store,
      clock: this.#clock,
      credentials: {
        token: () => this.#token,
        reset: () => {
          this.#token = `${Buffer.from(init.botUserId).toString('base64url')}.sandbox.${randomToken(27)}`;
        },
      },
      stats: () => this.#stats,
      url: () => this.gatewayUrl,
      options: {
        heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 41250,
        replayBuffer: opts.gateway?.replayBuffer ?? 1000,
        resumeWindowMs: opts.gateway?.resumeWindowMs ?? 300_000,
        privilegedIntents:
          (p.guildMembers === true ? 1 << 1 : 0) |
          (p.guildPresences === true ? 1 << 8 : 0) |
          (p.messageContent === true ? 1 << 15 : 0),
        identifyTotal: opts.identify?.total ?? 1000,
        maxConcurrency: opts.identify?.maxConcurrency ?? 1,
        guildsPerShard: opts.sharding?.guildsPerShard ?? 2500,
        recommendedGuildsPerShard: opts.sharding?.recommendedGuildsPerShard ?? 1000,
      },
    });
    server.on('request', (req, res) => this.#onRequest(req, res));
    server.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/gateway' || path === '/gateway/') this.#gateway.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const raw = url.pathname.split('/').filter(Boolean);
    let segments: string[];
    try {
      segments = raw.map((s) => decodeURIComponent(s));
    } catch {
      sendJson(res, 400, { message: '400: Bad Request', code: 0 });
      return;
    }
    const fail = (err: unknown) => {
      sendJson(res, 500, { message: `500: Internal Server Error (${String(err)})`, code: 0 });
    };
    if (segments[0] === 'api') {
      const rest = segments[1] === 'v10' ? segments.slice(2) : null;
      if (rest === null) {
        sendJson(res, 404, { message: '404: Not Found', code: 0 });
        return;
      }
      handleRest(
        {
          router: this.#router,
          faults: this.#faults,
          limiter: this.#limiter,
          stats: () => this.#stats,
          botToken: () => this.#token,
          clock: this.#clock,
          createCap: this.#createCap,
          renames: this.#renames,
          hanging: this.#hanging,
          context: () => ({
            store: this.#store,
            messages: this.#messages,
            interactions: this.#interactions,
            gatewayUrl: this.gatewayUrl,
            sessionStartLimit: () => this.#gateway.sessionStartLimit(),
            recommendedShards: () => this.#gateway.recommendedShards(),
          }),
        },
        req,
        res,
        rest,
        url.searchParams,
      ).catch(fail);
      return;
    }
    if (segments[0] === '_sandbox' && segments[1] === 'discord') {
      handleControl(this, req, res, segments.slice(2), url.searchParams).catch(fail);
      return;
    }
    sendJson(res, 404, { message: '404: Not Found', code: 0 });
  }

  // ---- in-process API ----

  /** The bot token; it changes when the identify budget runs out (Discord resets it). */
  get botToken(): string {
    return this.#token;
  }

  /** Moves the emulator clock forward (daily channel-create cap, identify budget); real time keeps running. */
  advanceClock(ms: number): void {
    this.#clock.advance(ms);
  }

  /** The identify budget as `GET /gateway/bot` reports it. */
  sessionStartLimit(): SessionStartLimit {
    return this.#gateway.sessionStartLimit();
  }

  /**
   * The application's owner: `userId` (a user-owned application's owner, or a team's owner) and, for a team,
   * every member's id by username.
   */
  applicationOwner(): { userId: string; team: Record<string, string> } {
    const owner = this.#store.owner;
    if (owner.kind === 'user') return { userId: owner.userId, team: {} };
    const names = Object.fromEntries(
      owner.members.map((m) => [this.#store.users.get(m.userId)?.username ?? m.userId, m.userId]),
    );
    return { userId: owner.ownerUserId, team: names };
  }

  seedGuild<const S extends GuildSpec>(spec: S = {} as S): GuildSeed<S> {
    return this.#store.seedGuild(spec) as GuildSeed<S>;
  }

  /** The bot is removed from a guild: GUILD_DELETE to live sessions, the guild gone from its view. */
  removeBot(guildId: string): void {
    this.#store.removeBot(guildId);
  }

  /** Adds a member to a seeded guild (GUILD_MEMBER_ADD); returns the user id. */
  addMember(guildId: string, spec: MemberSpec): string {
    return this.#store.addMember(guildId, spec);
  }

  /** Removes a member (disconnecting them from voice first; GUILD_MEMBER_REMOVE). */
  removeMember(guildId: string, userId: string): void {
    this.#store.removeMember(guildId, userId);
  }

  /** Changes a member's roles (ids) or nickname (GUILD_MEMBER_UPDATE). */
  updateMember(guildId: string, userId: string, patch: { nick?: string | null; roles?: string[] }): void {
    this.#store.updateMember(guildId, userId, patch);
  }

  /** An admin creates a role (at the bottom, as Discord does; GUILD_ROLE_CREATE); returns its id. */
  createRole(guildId: string, spec: { name: string; permissions?: string }): string {
    const permissions = BigInt(spec.permissions ?? '0');
    return createRole(this.#store, guildId, { name: spec.name, permissions }).id;
  }

  /** An admin drags a role to `position` (1 = just above @everyone); the others shift (GUILD_ROLE_UPDATE). */
  moveRole(guildId: string, roleId: string, position: number): void {
    moveRole(this.#store, guildId, roleId, position);
  }

  /** An admin edits a role's permissions (GUILD_ROLE_UPDATE). */
  setRolePermissions(guildId: string, roleId: string, permissions: string): void {
    setRolePermissions(this.#store, guildId, roleId, BigInt(permissions));
  }

  /** The user joins, switches or (null) leaves voice; dispatches VOICE_STATE_UPDATE. */
  setVoice(guildId: string, userId: string, channelId: string | null): void {
    this.#store.setVoice(guildId, userId, channelId);
  }

  /** When closed, the bot's DMs to this user fail with 50007. */
  setDmsClosed(userId: string, closed: boolean): void {
    this.#store.setDmsClosed(userId, closed);
  }

  /** A member runs a slash command: INTERACTION_CREATE goes to every session of the guild's shard. */
  async invokeCommand(input: InvokeCommandInput): Promise<InteractionRecord> {
    const { record, payload } = this.#interactions.create(input);
    record.sessionIds = this.#gateway.sendInteraction(
      input.guildId,
      'INTERACTION_CREATE',
      payload,
      this.#oneSessionPerInteraction,
    );
    record.sessionId = record.sessionIds[0] ?? '';
    this.#interactions.notify();
    return record;
  }

  interaction(id: string): InteractionRecord | undefined {
    return this.#interactions.get(id);
  }

  interactions(): InteractionView[] {
    return this.#interactions.all().map((r) => r.toJSON());
  }

  dms(userId: string): DmRecord[] {
    return this.#messages.dms(userId);
  }

  waitForDm(
    userId: string,
    predicate: (m: DmRecord) => boolean = () => true,
    timeoutMs = 30_000,
  ): Promise<DmRecord> {
    return this.#messages.waitForDm(userId, predicate, timeoutMs);
  }

  /** Messages the bot posted in a guild channel: { id, content, components, embeds, at, editedAt }. */
  channelMessages(channelId: string): Array<{
    id: string;
    content: string;
    components: unknown[];
    embeds: unknown[];
    at: number;
    editedAt: number | null;
  }> {
    return this.#messages.channel(channelId).map((m) => ({
      id: m.id,
      content: m.content,
      components: m.components,
      embeds: m.embeds,
      at: m.at,
      editedAt: m.editedAt,
    }));
  }

  /** Every status the bot set on a voice channel, in order ('' = cleared); kept after the channel is deleted. */
  voiceStatusHistory(channelId: string): string[] {
    return [...(this.#store.voiceStatusHistory.get(channelId) ?? [])];
  }

  /** A moderator deletes a message in a guild channel (later edits get 10008). Answers whether it existed. */
  deleteChannelMessage(channelId: string, messageId: string): boolean {
    return this.#messages.remove(channelId, messageId);
  }

  state(guildId: string): StateSnapshot {
    return this.#store.snapshot(guildId);
  }

  /** Names of the application's global commands (what every server the bot is in shows). */
  globalCommands(): string[] {
    return (this.#store.commands(null) ?? []).map((c) => c.name);
  }

  /** Resolves when check(state) returns a value other than undefined. */
  waitForState<T>(
    guildId: string,
    check: (s: StateSnapshot) => T | undefined,
    timeoutMs = 30_000,
  ): Promise<T> {
    return this.#store.changed.waitFor(
      () => check(this.state(guildId)),
      timeoutMs,
      `a state change in ${guildId}`,
    );
  }

  setFault(f: FaultSpec): void {
    this.#faults.add(f);
  }

  /** Extra latency for a route ('*' = every REST request); entries add up; 0 removes. */
  setLatency(route: string | RegExp, ms: number): void {
    this.#faults.setLatency(route, ms);
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  /**
   * Holds the route's next `times` requests (default: all; each before it is handled) until `release()`, or
   * `clearFaults()` or `close()` releases every hold.
   */
  holdRequests(route: string | RegExp, times?: number): RequestHold {
    return this.#faults.hold(route, times);
  }

  /** Changes how long after the REST reply a bot-created channel's CHANNEL_CREATE is dispatched. */
  setChannelCreateDelay(ms: number): void {
    this.#store.channelCreateDelayMs = Math.max(0, ms);
  }

  stats(): DiscordStats {
    return structuredClone(this.#stats);
  }

  resetStats(): void {
    this.#stats = emptyStats();
  }

  /** Connected, identified gateway sessions. */
  sessions(): number {
    return this.#gateway.sessionCount();
  }

  /** Every gateway session with its shard and the stretches it was live (IDENTIFY/RESUME to close). */
  sessionLog(): SessionLogEntry[] {
    return this.#gateway.sessionLog();
  }

  /** Resolves once at least n sessions are connected and identified. */
  waitForSessions(n: number, timeoutMs = 30_000): Promise<number> {
    return pollUntil(
      () => (this.sessions() >= n ? this.sessions() : undefined),
      timeoutMs,
      `${n} gateway sessions`,
    );
  }

  /** Closes every gateway socket (default code 4000); sessions stay resumable and keep buffering events. */
  dropGatewayConnections(code?: number): number {
    return this.#gateway.dropConnections(code);
  }

  async close(): Promise<void> {
    this.#faults.clear();
    for (const res of this.#hanging) res.destroy();
    this.#hanging.clear();
    this.#store.close();
    await this.#gateway.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

async function pollUntil<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function startDiscordEmulator(opts: DiscordEmulatorOptions = {}): Promise<DiscordEmulator> {
  const server = createServer();
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const botUserId = opts.botUserId ?? snowflake();
  return new DiscordEmulator(server, {
    url: `http://${host}:${port}`,
    botUserId,
    applicationId: opts.applicationId ?? botUserId,
    botToken: opts.botToken ?? `${Buffer.from(botUserId).toString('base64url')}.sandbox.${randomToken(27)}`,
    opts,
  });
}
