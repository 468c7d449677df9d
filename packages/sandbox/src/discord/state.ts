/** The emulator's in-memory state: users, guilds, channels, members, voice states, commands. Emits gateway events. */
import { type ApplicationOwner, type ApplicationOwnerSpec, createOwner } from './application-owner.ts';
import { Errors } from './errors.ts';
import { GuildEventQueue } from './event-queue.ts';
import { basePermissions, channelPermissions } from './permissions.ts';
import { addMemberRecord, seedGuild } from './seed.ts';
import { channelJson, Intent, memberJson, userJson, voiceStateJson } from './serialize.ts';
import { snapshot } from './snapshot.ts';
import { randomToken, snowflake } from './snowflake.ts';
import type {
  ChannelRec,
  CommandRec,
  GuildRec,
  GuildSeed,
  GuildSpec,
  MemberRec,
  MemberSpec,
  OverwriteRec,
  StateSnapshot,
  UserRec,
} from './types.ts';
import { ChannelType } from './types.ts';
import { Signal } from './wait.ts';

/** A gateway dispatch produced by a state change. `d` is null for GUILD_CREATE (built per session). */
export interface StoreEvent {
  t: string;
  guildId: string;
  d: unknown;
  /** intent bit a session needs to receive it; 0 = always */
  intent: number;
}

export interface ChannelInput {
  name: string;
  type: number;
  parentId: string | null;
  /** undefined = inherit the parent category's overwrites (as Discord does) */
  overwrites: OverwriteRec[] | undefined;
  position?: number | undefined;
  userLimit?: number | undefined;
  bitrate?: number | undefined;
  topic?: string | null | undefined;
}

export interface ChannelPatch {
  name?: string;
  parentId?: string | null;
  overwrites?: OverwriteRec[];
  position?: number;
  userLimit?: number;
  bitrate?: number;
  topic?: string | null;
}

export interface StoreLimits {
  channelsPerGuild: number;
  channelsPerCategory: number;
}

export class Store {
  readonly users = new Map<string, UserRec>();
  readonly guilds = new Map<string, GuildRec>();
  readonly channels = new Map<string, ChannelRec>();
  readonly bot: UserRec;
  readonly applicationId: string;
  /** Who owns the application (GET /applications/@me). */
  readonly owner: ApplicationOwner;
  readonly limits: StoreLimits;
  /** notified after every change (for waiters) */
  readonly changed = new Signal();
  /** Every status set on a voice channel ('' = cleared), kept after the channel is deleted. */
  readonly voiceStatusHistory = new Map<string, string[]>();
  /** how long after the REST reply a bot-created channel's CHANNEL_CREATE is dispatched */
  channelCreateDelayMs: number;
  #listeners = new Set<(e: StoreEvent) => void>();
  readonly #events = new GuildEventQueue<StoreEvent>((e) => {
    for (const fn of this.#listeners) fn(e);
  });
  #dmByUser = new Map<string, string>();
  #globalCommands: CommandRec[] = [];

  constructor(opts: {
    botUserId: string;
    botUsername: string;
    applicationId: string;
    owner?: ApplicationOwnerSpec | undefined;
    limits: StoreLimits;
    channelCreateDelayMs: number;
  }) {
    this.channelCreateDelayMs = opts.channelCreateDelayMs;
    this.bot = {
      id: opts.botUserId,
      username: opts.botUsername,
      globalName: null,
      bot: true,
      dmsClosed: true,
    };
    this.users.set(this.bot.id, this.bot);
    this.applicationId = opts.applicationId;
    this.owner = createOwner(this.users, opts.owner);
    this.limits = opts.limits;
  }

  onEvent(fn: (e: StoreEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Publishes a gateway event (`delayMs` later; later events about the same channel wait behind it). */
  emit(t: string, guildId: string, d: unknown, intent: number, delayMs = 0): void {
    const id = (d as { id?: unknown } | null)?.id;
    const subject =
      (t.startsWith('CHANNEL_') || t === 'VOICE_CHANNEL_STATUS_UPDATE') && typeof id === 'string'
        ? `channel:${id}`
        : null;
    this.#events.push(subject, { t, guildId, d, intent }, delayMs);
    this.changed.notify();
  }

  /** Drops events not yet dispatched. */
  close(): void {
    this.#events.clear();
  }

  // ---- lookups (throwing Discord errors) ----

  guild(id: string): GuildRec {
    const g = this.guilds.get(id);
    if (!g) throw Errors.unknownGuild();
    return g;
  }

  channel(id: string): ChannelRec {
    const c = this.channels.get(id);
    if (!c) throw Errors.unknownChannel();
    return c;
  }

  guildChannel(g: GuildRec, id: string): ChannelRec {
    const c = this.channels.get(id);
    if (!c || c.guildId !== g.id) throw Errors.unknownChannel();
    return c;
  }

  member(g: GuildRec, userId: string): MemberRec {
    const m = g.members.get(userId);
    if (!m) throw Errors.unknownMember();
    return m;
  }

  user(id: string): UserRec {
    const u = this.users.get(id);
    if (!u) throw Errors.unknownUser();
    return u;
  }

  // ---- seeding and members ----

  seedGuild(spec: GuildSpec): GuildSeed {
    return seedGuild(this, spec);
  }

  addMember(guildId: string, spec: MemberSpec): string {
    const g = this.guild(guildId);
    const id = addMemberRecord(this, g, spec);
    const m = this.member(g, id);
    this.emit('GUILD_MEMBER_ADD', g.id, { ...memberJson(this, m), guild_id: g.id }, Intent.GuildMembers);
    return id;
  }

  /**
   * The bot is removed from a guild (kicked, or the guild deleted): live sessions get GUILD_DELETE
   * without `unavailable` (what marks a removal rather than an outage), and the guild, its channels and
   * commands are gone from the bot's view: later REST calls about them answer Unknown Guild/Channel.
   */
  removeBot(guildId: string): void {
    const g = this.guild(guildId);
    this.emit('GUILD_DELETE', g.id, { id: g.id }, Intent.Guilds);
    for (const [id, c] of this.channels) if (c.guildId === g.id) this.channels.delete(id);
    this.guilds.delete(g.id);
  }

  removeMember(guildId: string, userId: string): void {
    const g = this.guild(guildId);
    this.member(g, userId);
    if (g.voice.has(userId)) this.setVoice(guildId, userId, null);
    g.members.delete(userId);
    this.emit(
      'GUILD_MEMBER_REMOVE',
      g.id,
      { guild_id: g.id, user: userJson(this.user(userId)) },
      Intent.GuildMembers,
    );
  }

  updateMember(
    guildId: string,
    userId: string,
    patch: { nick?: string | null; roles?: string[] },
  ): MemberRec {
    const g = this.guild(guildId);
    const m = this.member(g, userId);
    if (patch.roles) {
      for (const r of patch.roles) if (!g.roles.has(r)) throw Errors.unknownRole();
      m.roles = patch.roles.filter((r) => r !== g.id);
    }
    if (patch.nick !== undefined) m.nick = patch.nick;
    // The bot's own member updates come without the GuildMembers intent (gateway docs, "Caveats").
    const intent = userId === this.bot.id ? 0 : Intent.GuildMembers;
    this.emit('GUILD_MEMBER_UPDATE', g.id, { ...memberJson(this, m), guild_id: g.id }, intent);
    return m;
  }

  setDmsClosed(userId: string, closed: boolean): void {
    this.user(userId).dmsClosed = closed;
  }

  // ---- voice ----

  setVoice(guildId: string, userId: string, channelId: string | null): void {
    const g = this.guild(guildId);
    this.member(g, userId);
    const current = g.voice.get(userId);
    if (channelId === null) {
      if (!current) return;
      g.voice.delete(userId);
      this.#emitVoice(g, userId);
      return;
    }
    const c = this.guildChannel(g, channelId);
    if (c.type !== ChannelType.GuildVoice) throw Errors.wrongChannelType();
    if (current?.channelId === channelId) return;
    g.voice.set(
      userId,
      current
        ? { ...current, channelId }
        : {
            channelId,
            sessionId: randomToken(16),
            selfMute: false,
            selfDeaf: false,
            mute: false,
            deaf: false,
          },
    );
    this.#emitVoice(g, userId);
  }

  #emitVoice(g: GuildRec, userId: string): void {
    const d = voiceStateJson(this, g, userId, g.voice.get(userId) ?? null, { guildId: true, member: true });
    this.emit('VOICE_STATE_UPDATE', g.id, d, Intent.GuildVoiceStates);
  }

  // ---- permissions ----

  basePermissions(g: GuildRec, userId: string): bigint {
    return basePermissions(g, userId);
  }

  channelPermissions(g: GuildRec, userId: string, c: ChannelRec): bigint {
    return channelPermissions(g, userId, c);
  }

  // ---- channels ----

  #checkParent(g: GuildRec, parentId: string, movingId: string | null): void {
    const parent = this.channels.get(parentId);
    if (!parent || parent.guildId !== g.id || parent.type !== ChannelType.GuildCategory) {
      throw Errors.form('parent_id', 'CHANNEL_PARENT_INVALID', 'Category does not exist');
    }
    let children = 0;
    for (const id of g.channelIds) {
      if (id !== movingId && this.channels.get(id)?.parentId === parentId) children++;
    }
    if (children >= this.limits.channelsPerCategory) {
      throw Errors.form(
        'parent_id',
        'CHANNEL_PARENT_MAX_CHANNELS',
        `Maximum number of channels in category reached (${this.limits.channelsPerCategory})`,
      );
    }
  }

  createChannel(guildId: string, input: ChannelInput, createdBy: 'seed' | 'bot'): ChannelRec {
    const g = this.guild(guildId);
    if (g.channelIds.size >= this.limits.channelsPerGuild) throw Errors.maxGuildChannels();
    if (input.parentId !== null) {
      if (input.type === ChannelType.GuildCategory) {
        throw Errors.form('parent_id', 'CHANNEL_PARENT_INVALID_TYPE', 'Categories cannot have subcategories');
      }
      this.#checkParent(g, input.parentId, null);
    }
    const parent = input.parentId ? this.channels.get(input.parentId) : undefined;
    const rec: ChannelRec = {
      id: snowflake(),
      guildId,
      type: input.type,
      name: input.type === ChannelType.GuildText ? input.name.toLowerCase().replace(/\s+/g, '-') : input.name,
      parentId: input.parentId,
      position: input.position ?? g.channelIds.size,
      overwrites: input.overwrites ?? parent?.overwrites.map((o) => ({ ...o })) ?? [],
      createdBy,
      userLimit: input.userLimit ?? 0,
      bitrate: input.bitrate ?? 64000,
      topic: input.topic ?? null,
      recipientId: null,
    };
    this.channels.set(rec.id, rec);
    g.channelIds.add(rec.id);
    // Bot creates reach the gateway a little after the REST reply; seeded channels are just there.
    const delay = createdBy === 'bot' ? this.channelCreateDelayMs : 0;
    this.emit('CHANNEL_CREATE', g.id, channelJson(this, rec), Intent.Guilds, delay);
    return rec;
  }

  updateChannel(channelId: string, patch: ChannelPatch): ChannelRec {
    const c = this.channel(channelId);
    const g = c.guildId ? this.guild(c.guildId) : null;
    if (!g) throw Errors.wrongChannelType();
    if (patch.parentId !== undefined && patch.parentId !== null && patch.parentId !== c.parentId) {
      if (c.type === ChannelType.GuildCategory) {
        throw Errors.form('parent_id', 'CHANNEL_PARENT_INVALID_TYPE', 'Categories cannot have subcategories');
      }
      this.#checkParent(g, patch.parentId, c.id);
    }
    if (patch.name !== undefined) c.name = patch.name;
    if (patch.parentId !== undefined) c.parentId = patch.parentId;
    if (patch.overwrites !== undefined) c.overwrites = patch.overwrites;
    if (patch.position !== undefined) c.position = patch.position;
    if (patch.userLimit !== undefined) c.userLimit = patch.userLimit;
    if (patch.bitrate !== undefined) c.bitrate = patch.bitrate;
    if (patch.topic !== undefined) c.topic = patch.topic;
    this.emit('CHANNEL_UPDATE', g.id, channelJson(this, c), Intent.Guilds);
    return c;
  }

  /** A voice channel's status; '' clears it. Dispatches VOICE_CHANNEL_STATUS_UPDATE (no CHANNEL_UPDATE). */
  setVoiceStatus(c: ChannelRec, status: string): void {
    if (!c.guildId) throw Errors.wrongChannelType();
    c.voiceStatus = status;
    const history = this.voiceStatusHistory.get(c.id) ?? [];
    history.push(status);
    this.voiceStatusHistory.set(c.id, history);
    this.emit(
      'VOICE_CHANNEL_STATUS_UPDATE',
      c.guildId,
      { id: c.id, guild_id: c.guildId, status: status === '' ? null : status },
      Intent.Guilds,
    );
  }

  setOverwrite(channelId: string, o: OverwriteRec): ChannelRec {
    const c = this.channel(channelId);
    const rest = c.overwrites.filter((x) => x.id !== o.id);
    return this.updateChannel(channelId, { overwrites: [...rest, o] });
  }

  deleteOverwrite(channelId: string, id: string): ChannelRec {
    const c = this.channel(channelId);
    return this.updateChannel(channelId, { overwrites: c.overwrites.filter((x) => x.id !== id) });
  }

  deleteChannel(channelId: string): ChannelRec {
    const c = this.channel(channelId);
    if (c.type === ChannelType.DM) {
      this.channels.delete(c.id);
      if (c.recipientId) this.#dmByUser.delete(c.recipientId);
      return c;
    }
    const g = this.guild(c.guildId ?? '');
    for (const [userId, v] of [...g.voice]) {
      if (v.channelId === c.id) this.setVoice(g.id, userId, null);
    }
    if (c.type === ChannelType.GuildCategory) {
      for (const id of g.channelIds) {
        const child = this.channels.get(id);
        if (child?.parentId === c.id) this.updateChannel(child.id, { parentId: null });
      }
    }
    this.channels.delete(c.id);
    g.channelIds.delete(c.id);
    this.emit('CHANNEL_DELETE', g.id, channelJson(this, c), Intent.Guilds);
    return c;
  }

  openDm(userId: string): ChannelRec {
    this.user(userId);
    const existing = this.#dmByUser.get(userId);
    const found = existing ? this.channels.get(existing) : undefined;
    if (found) return found;
    const rec: ChannelRec = {
      id: snowflake(),
      guildId: null,
      type: ChannelType.DM,
      name: '',
      parentId: null,
      position: 0,
      overwrites: [],
      createdBy: 'bot',
      userLimit: 0,
      bitrate: 0,
      topic: null,
      recipientId: userId,
    };
    this.channels.set(rec.id, rec);
    this.#dmByUser.set(userId, rec.id);
    return rec;
  }

  /** True when the user shares a guild with the bot (Discord refuses DMs otherwise). */
  sharesGuild(userId: string): boolean {
    for (const g of this.guilds.values()) if (g.members.has(userId)) return true;
    return false;
  }

  // ---- application commands ----

  setCommands(guildId: string | null, list: Array<Record<string, unknown>>): CommandRec[] {
    const previous = guildId ? (this.guild(guildId).commands ?? []) : this.#globalCommands;
    const out = list.map((data): CommandRec => {
      const name = String(data.name);
      const type = typeof data.type === 'number' ? data.type : 1;
      const kept = previous.find((c) => c.name === name && c.type === type);
      const { id: _id, application_id: _a, guild_id: _g, version: _v, ...rest } = data;
      return { id: kept?.id ?? snowflake(), guildId, name, type, version: snowflake(), data: rest };
    });
    if (guildId) this.guild(guildId).commands = out;
    else this.#globalCommands = out;
    this.changed.notify();
    return out;
  }

  commands(guildId: string | null): CommandRec[] | null {
    return guildId ? this.guild(guildId).commands : this.#globalCommands;
  }

  /** A command the bot registered for this guild (guild command first, then global). */
  findCommand(guildId: string, name: string): CommandRec | undefined {
    const g = this.guild(guildId);
    return (
      g.commands?.find((c) => c.name === name && c.type === 1) ??
      this.#globalCommands.find((c) => c.name === name && c.type === 1)
    );
  }

  snapshot(guildId: string): StateSnapshot {
    return snapshot(this, guildId);
  }
}
