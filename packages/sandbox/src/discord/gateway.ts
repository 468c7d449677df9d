/** The WebSocket gateway: HELLO, IDENTIFY/READY/GUILD_CREATE, heartbeats, RESUME, dispatch fan-out by intents. */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Clock } from './clock.ts';
import { DAY_MS } from './daily-cap.ts';
import { guildCreateJson, Intent, memberJson, userJson } from './serialize.ts';
import { SessionLog, type SessionLogEntry } from './session-log.ts';
import { randomToken } from './snowflake.ts';
import type { Store, StoreEvent } from './state.ts';
import type { DiscordStats } from './stats.ts';

const PRIVILEGED = { GuildPresences: 1 << 8, GuildMembers: 1 << 1, MessageContent: 1 << 15 } as const;
const ALL_INTENTS = (1 << 26) - 1;

export interface GatewayOptions {
  heartbeatIntervalMs: number;
  /** dispatches kept per session for RESUME */
  replayBuffer: number;
  /** how long a disconnected session stays resumable */
  resumeWindowMs: number;
  /** privileged intents enabled for the application; IDENTIFY with others is closed with 4014 */
  privilegedIntents: number;
  /** IDENTIFYs allowed per 24 h (session_start_limit.total) */
  identifyTotal: number;
  /** IDENTIFYs allowed per 5 s per rate-limit key (shard id % max_concurrency) */
  maxConcurrency: number;
  /** a session whose shard would carry more guilds than this is closed with 4011 (Discord: 2500) */
  guildsPerShard: number;
  /** `GET /gateway/bot` recommends one shard per this many guilds (Discord: about 1000) */
  recommendedGuildsPerShard: number;
}

/** What `GET /gateway/bot` reports. */
export interface SessionStartLimit {
  total: number;
  remaining: number;
  reset_after: number;
  max_concurrency: number;
}

/** The bot token, which Discord resets when the identify budget runs out. */
export interface Credentials {
  token(): string;
  reset(): void;
}

const IDENTIFY_WINDOW_MS = 5000;

interface Dispatch {
  op: 0;
  t: string;
  s: number;
  d: unknown;
}

interface Session {
  id: string;
  intents: number;
  shard: [number, number];
  seq: number;
  buffer: Dispatch[];
  ws: WebSocket | null;
  detachedAt: number;
  createdAt: number;
}

interface Conn {
  ws: WebSocket;
  session: Session | null;
}

export class Gateway {
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #store: Store;
  readonly #credentials: Credentials;
  readonly #clock: Clock;
  /** the 24-hour identify window: opened by the first IDENTIFY */
  #budget = { used: 0, resetAt: 0 };
  /** last accepted IDENTIFY per rate-limit key */
  readonly #lastIdentify = new Map<number, number>();
  readonly #opts: GatewayOptions;
  readonly #stats: () => DiscordStats;
  readonly #url: () => string;
  readonly #sessions = new Map<string, Session>();
  readonly #conns = new Set<Conn>();
  readonly #log = new SessionLog();
  #rr = 0;
  readonly #unsubscribe: () => void;

  constructor(deps: {
    store: Store;
    credentials: Credentials;
    clock: Clock;
    options: GatewayOptions;
    stats: () => DiscordStats;
    url: () => string;
  }) {
    this.#store = deps.store;
    this.#credentials = deps.credentials;
    this.#clock = deps.clock;
    this.#opts = deps.options;
    this.#stats = deps.stats;
    this.#url = deps.url;
    this.#unsubscribe = this.#store.onEvent((e) => this.#onStoreEvent(e));
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onConnection(ws));
  }

  /** Connected, identified sessions. */
  sessionCount(): number {
    let n = 0;
    for (const s of this.#sessions.values()) if (s.ws) n++;
    return n;
  }

  /** The `shards` that `GET /gateway/bot` recommends for the guilds the bot is in now. */
  recommendedShards(): number {
    return Math.max(1, Math.ceil(this.#store.guilds.size / this.#opts.recommendedGuildsPerShard));
  }

  /** Every session's live stretches, per shard (see session-log.ts). */
  sessionLog(): SessionLogEntry[] {
    return this.#log.entries();
  }

  /** The identify budget as `GET /gateway/bot` reports it. */
  sessionStartLimit(): SessionStartLimit {
    const now = this.#clock.now();
    const open = now < this.#budget.resetAt;
    return {
      total: this.#opts.identifyTotal,
      remaining: open ? Math.max(0, this.#opts.identifyTotal - this.#budget.used) : this.#opts.identifyTotal,
      reset_after: open ? this.#budget.resetAt - now : 0,
      max_concurrency: this.#opts.maxConcurrency,
    };
  }

  /**
   * Sends INTERACTION_CREATE to every session of the guild's shard (as Discord does: every process
   * running for the bot gets it, the first acknowledgement wins), or with `one` to a single session,
   * round-robin over connected ones. Detached sessions buffer it for RESUME. Returns the session ids.
   */
  sendInteraction(guildId: string, t: string, d: unknown, one: boolean): string[] {
    this.#expire();
    const all = [...this.#sessions.values()].filter((s) => this.#inShard(s, guildId));
    const live = all.filter((s) => s.ws);
    const pool = live.length > 0 ? live : all;
    if (pool.length === 0) throw new Error('no gateway session is connected for this guild');
    const targets = one ? [pool[this.#rr++ % pool.length] as Session] : all;
    for (const s of targets) this.#dispatch(s, t, d);
    return targets.map((s) => s.id);
  }

  /** Closes every connection with `code` (default 4000: resumable); sessions stay resumable. */
  dropConnections(code = 4000): number {
    let n = 0;
    for (const conn of [...this.#conns]) {
      if (conn.session) {
        conn.session.ws = null;
        conn.session.detachedAt = Date.now();
        this.#log.stopped(conn.session.id, code);
      }
      conn.session = null;
      conn.ws.close(code, 'sandbox: connection dropped');
      n++;
    }
    return n;
  }

  /** Closes every connection with `code` and forgets every session (not resumable). */
  #closeAll(code: number, reason: string): void {
    for (const conn of [...this.#conns]) {
      if (conn.session) this.#log.stopped(conn.session.id, code);
      conn.session = null;
      conn.ws.close(code, reason);
    }
    this.#sessions.clear();
  }

  async close(): Promise<void> {
    this.#unsubscribe();
    for (const conn of this.#conns) {
      if (conn.session) this.#log.stopped(conn.session.id, null);
      conn.ws.terminate();
    }
    this.#conns.clear();
    this.#sessions.clear();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  // ---- connection handling ----

  #onConnection(ws: WebSocket): void {
    const conn: Conn = { ws, session: null };
    this.#conns.add(conn);
    this.#stats().gateway.connections++;
    ws.on('message', (data, isBinary) => this.#onMessage(conn, isBinary ? null : data.toString()));
    ws.on('close', (code) => this.#onClose(conn, code));
    ws.on('error', () => ws.terminate());
    this.#send(ws, {
      op: 10,
      d: { heartbeat_interval: this.#opts.heartbeatIntervalMs, _trace: ['sandbox'] },
    });
  }

  #onClose(conn: Conn, code: number): void {
    this.#conns.delete(conn);
    const s = conn.session;
    if (!s || s.ws !== conn.ws) return;
    this.#log.stopped(s.id, code);
    s.ws = null;
    s.detachedAt = Date.now();
    // A client closing with 1000/1001 ends its session, as on Discord.
    if (code === 1000 || code === 1001) this.#sessions.delete(s.id);
  }

  #onMessage(conn: Conn, text: string | null): void {
    let payload: { op?: unknown; d?: unknown };
    try {
      if (text === null) throw new Error('binary');
      payload = JSON.parse(text);
    } catch {
      conn.ws.close(4002, 'Error while decoding payload.');
      return;
    }
    const d = (typeof payload.d === 'object' && payload.d !== null ? payload.d : {}) as Record<
      string,
      unknown
    >;
    switch (payload.op) {
      case 1:
        this.#send(conn.ws, { op: 11 });
        return;
      case 2:
        this.#identify(conn, d);
        return;
      case 6:
        this.#resume(conn, d);
        return;
      case 3:
      case 4:
        if (!conn.session) conn.ws.close(4003, 'Not authenticated.');
        return;
      case 8:
        if (!conn.session) conn.ws.close(4003, 'Not authenticated.');
        else this.#requestMembers(conn.session, d);
        return;
      default:
        conn.ws.close(4001, 'Unknown opcode.');
    }
  }

  #checkToken(raw: unknown): boolean {
    return typeof raw === 'string' && raw.replace(/^Bot\s+/i, '') === this.#credentials.token();
  }

  #identify(conn: Conn, d: Record<string, unknown>): void {
    if (conn.session) {
      conn.ws.close(4005, 'Already authenticated.');
      return;
    }
    if (!this.#checkToken(d.token)) {
      conn.ws.close(4004, 'Authentication failed.');
      return;
    }
    const intents = d.intents;
    if (
      typeof intents !== 'number' ||
      !Number.isInteger(intents) ||
      intents < 0 ||
      (intents & ~ALL_INTENTS) !== 0
    ) {
      conn.ws.close(4013, 'Invalid intent(s).');
      return;
    }
    const privileged = PRIVILEGED.GuildMembers | PRIVILEGED.GuildPresences | PRIVILEGED.MessageContent;
    if ((intents & privileged & ~this.#opts.privilegedIntents) !== 0) {
      conn.ws.close(4014, 'Disallowed intent(s).');
      return;
    }
    const shardRaw = Array.isArray(d.shard) ? d.shard : [0, 1];
    const shard: [number, number] = [Number(shardRaw[0] ?? 0), Number(shardRaw[1] ?? 1)];
    if (
      !(Number.isInteger(shard[0]) && Number.isInteger(shard[1])) ||
      !(shard[1] >= 1 && shard[0] >= 0 && shard[0] < shard[1])
    ) {
      conn.ws.close(4010, 'Invalid shard.');
      return;
    }
    // Budget and concurrency are checked after the payload is valid: a refused IDENTIFY costs nothing.
    const now = this.#clock.now();
    if (this.sessionStartLimit().remaining <= 0) {
      conn.ws.close(4004, 'Authentication failed.');
      return;
    }
    const key = shard[0] % this.#opts.maxConcurrency;
    const last = this.#lastIdentify.get(key);
    if (last !== undefined && now - last < IDENTIFY_WINDOW_MS) {
      // More than max_concurrency IDENTIFYs per 5 s: op 9, not resumable (discord.js waits and re-identifies).
      this.#stats().gateway.invalidSessions++;
      this.#send(conn.ws, { op: 9, d: false });
      return;
    }
    this.#lastIdentify.set(key, now);
    if (now >= this.#budget.resetAt) this.#budget = { used: 0, resetAt: now + DAY_MS };
    this.#budget.used++;
    if (this.#budget.used >= this.#opts.identifyTotal) {
      // Discord: on hitting the limit every session of the app is terminated and the token is reset.
      this.#credentials.reset();
      this.#closeAll(4004, 'Authentication failed.');
      return;
    }
    const guilds = [...this.#store.guilds.values()].filter((g) => inShard(shard, g.id));
    if (guilds.length > this.#opts.guildsPerShard) {
      // Counted against the budget above: whether Discord counts it is unsettled (the stricter reading).
      conn.ws.close(4011, 'Sharding required.');
      return;
    }
    this.#stats().gateway.identifies++;
    const session: Session = {
      id: randomToken(16),
      intents,
      shard,
      seq: 0,
      buffer: [],
      ws: conn.ws,
      detachedAt: 0,
      createdAt: Date.now(),
    };
    this.#sessions.set(session.id, session);
    conn.session = session;
    this.#log.started(session.id, shard, 'identify');
    const privilegedFlags =
      (this.#opts.privilegedIntents & PRIVILEGED.GuildPresences ? 1 << 13 : 0) |
      (this.#opts.privilegedIntents & PRIVILEGED.GuildMembers ? 1 << 15 : 0) |
      (this.#opts.privilegedIntents & PRIVILEGED.MessageContent ? 1 << 19 : 0);
    this.#dispatch(session, 'READY', {
      v: 10,
      user: { ...userJson(this.#store.bot), verified: true, mfa_enabled: false },
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: this.#url(),
      shard,
      application: { id: this.#store.applicationId, flags: privilegedFlags },
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      user_settings: {},
      auth: {},
      _trace: ['sandbox'],
    });
    if (intents & Intent.Guilds) {
      for (const g of guilds)
        this.#dispatch(session, 'GUILD_CREATE', guildCreateJson(this.#store, g, intents));
    }
  }

  #resume(conn: Conn, d: Record<string, unknown>): void {
    this.#expire();
    const s = typeof d.session_id === 'string' ? this.#sessions.get(d.session_id) : undefined;
    if (conn.session || !s || !this.#checkToken(d.token)) {
      this.#stats().gateway.invalidSessions++;
      this.#send(conn.ws, { op: 9, d: false });
      return;
    }
    const from = typeof d.seq === 'number' ? d.seq : 0;
    const oldest = s.buffer[0]?.s ?? s.seq + 1;
    if (from + 1 < oldest) {
      this.#stats().gateway.invalidSessions++;
      this.#send(conn.ws, { op: 9, d: false });
      return;
    }
    for (const other of this.#conns) {
      if (other !== conn && other.session === s) {
        this.#log.stopped(s.id, 4000);
        other.session = null;
        other.ws.close(4000, 'sandbox: session resumed elsewhere');
      }
    }
    this.#stats().gateway.resumes++;
    s.ws = conn.ws;
    s.detachedAt = 0;
    conn.session = s;
    this.#log.started(s.id, s.shard, 'resume');
    for (const p of s.buffer) if (p.s > from) this.#send(conn.ws, p);
    this.#dispatch(s, 'RESUMED', { _trace: ['sandbox'] });
  }

  #requestMembers(s: Session, d: Record<string, unknown>): void {
    const guildIds = Array.isArray(d.guild_id) ? d.guild_id.map(String) : [String(d.guild_id ?? '')];
    const query = typeof d.query === 'string' ? d.query.toLowerCase() : '';
    const userIds = Array.isArray(d.user_ids)
      ? d.user_ids.map(String)
      : typeof d.user_ids === 'string'
        ? [d.user_ids]
        : null;
    const limit = typeof d.limit === 'number' && d.limit > 0 ? d.limit : Number.POSITIVE_INFINITY;
    for (const guildId of guildIds) {
      const g = this.#store.guilds.get(guildId);
      if (!g) continue;
      const members = [...g.members.values()]
        .filter((m) => {
          if (userIds) return userIds.includes(m.userId);
          return (this.#store.users.get(m.userId)?.username ?? '').toLowerCase().startsWith(query);
        })
        .slice(0, limit);
      this.#dispatch(s, 'GUILD_MEMBERS_CHUNK', {
        guild_id: g.id,
        members: members.map((m) => memberJson(this.#store, m)),
        chunk_index: 0,
        chunk_count: 1,
        not_found: userIds ? userIds.filter((id) => !g.members.has(id)) : [],
        ...(d.nonce !== undefined ? { nonce: d.nonce } : {}),
      });
    }
  }

  // ---- dispatch ----

  #onStoreEvent(e: StoreEvent): void {
    this.#expire();
    for (const s of this.#sessions.values()) {
      if (!this.#inShard(s, e.guildId)) continue;
      if (e.intent !== 0 && (s.intents & e.intent) === 0) continue;
      if (e.t === 'GUILD_CREATE') {
        const g = this.#store.guilds.get(e.guildId);
        if (g) this.#dispatch(s, e.t, guildCreateJson(this.#store, g, s.intents));
      } else {
        this.#dispatch(s, e.t, e.d);
      }
    }
  }

  #dispatch(s: Session, t: string, d: unknown): void {
    s.seq++;
    const p: Dispatch = { op: 0, t, s: s.seq, d };
    s.buffer.push(p);
    if (s.buffer.length > this.#opts.replayBuffer) s.buffer.shift();
    this.#stats().gateway.dispatches++;
    if (s.ws) this.#send(s.ws, p);
  }

  #send(ws: WebSocket, payload: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload));
  }

  #inShard(s: Session, guildId: string): boolean {
    return inShard(s.shard, guildId);
  }

  #expire(): void {
    const now = Date.now();
    for (const [id, s] of this.#sessions) {
      if (!s.ws && now - s.detachedAt > this.#opts.resumeWindowMs) this.#sessions.delete(id);
    }
  }
}

/**
 * Discord's routing: a guild's events go to shard `(guild_id >> 22) % num_shards`; events without a guild
 * (DMs) only to shard 0.
 */
export function inShard([id, count]: [number, number], guildId: string): boolean {
  if (!guildId) return id === 0;
  return Number((BigInt(guildId) >> 22n) % BigInt(count)) === id;
}
