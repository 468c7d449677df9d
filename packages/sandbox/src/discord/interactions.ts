/** Slash-command interactions: INTERACTION_CREATE payloads, callbacks, @original and follow-ups. */

import { buildOptions } from './command-options.ts';
import { Errors } from './errors.ts';
import { checkComponents, hasVisibleContent, type MessageInput, toMessageRec } from './messages.ts';
import { channelJson, memberJson } from './serialize.ts';
import { randomToken, snowflake } from './snowflake.ts';
import type { Store } from './state.ts';
import type { CommandRec, InvokeCommandInput, MessageRec } from './types.ts';

export type { InvokeCommandInput, OptionValue } from './types.ts';

import { ChannelType } from './types.ts';
import { Signal } from './wait.ts';

const EPHEMERAL = 64;
const LOADING = 128;

export interface InteractionResponse {
  type: number;
  content?: string;
  components?: unknown[];
  embeds?: unknown[];
  flags?: number;
  ephemeral: boolean;
  at: number;
}

export interface InteractionMessage {
  id: string;
  content: string;
  components: unknown[];
  embeds: unknown[];
  flags: number;
  ephemeral: boolean;
  at: number;
  editedAt: number | null;
}

export interface InteractionView {
  id: string;
  token: string;
  guildId: string;
  channelId: string | null;
  userId: string;
  commandName: string;
  commandId: string;
  /** first gateway session the INTERACTION_CREATE went to */
  sessionId: string;
  /** every session it went to (all sessions of the guild's shard, unless `interactionDelivery: 'one'`) */
  sessionIds: string[];
  createdAt: number;
  /** the token (callbacks, follow-ups, @original) is refused after this: 401 50027 Invalid Webhook Token */
  expiresAt: number;
  /** initial callbacks in order (a second one is refused with 40060 and not recorded) */
  responses: InteractionResponse[];
  /** the @original message: set by a type 4 reply or a type 5 defer, updated by PATCH @original */
  original: InteractionMessage | null;
  followUps: InteractionMessage[];
}

export interface InteractionRecord extends InteractionView {
  /** first callback (reply, defer, ...) */
  waitForResponse(timeoutMs?: number): Promise<InteractionResponse>;
  /** the @original message once it has visible content (a reply, or a defer later edited) */
  waitForReply(timeoutMs?: number): Promise<InteractionMessage>;
  waitFor<T>(check: (r: InteractionView) => T | undefined, timeoutMs?: number): Promise<T>;
  toJSON(): InteractionView;
}

function messageView(m: MessageRec): InteractionMessage {
  return {
    id: m.id,
    content: m.content,
    components: m.components,
    embeds: m.embeds,
    flags: m.flags,
    ephemeral: (m.flags & EPHEMERAL) !== 0,
    at: m.at,
    editedAt: m.editedAt,
  };
}

class Entry implements InteractionRecord {
  readonly id: string;
  readonly token: string;
  readonly guildId: string;
  readonly channelId: string | null;
  readonly userId: string;
  readonly commandName: string;
  readonly commandId: string;
  /** The type of the message that answers it: 20 CHAT_INPUT_COMMAND, 23 CONTEXT_MENU_COMMAND (message.mdx). */
  readonly replyType: number;
  sessionId = '';
  sessionIds: string[] = [];
  readonly createdAt = Date.now();
  readonly expiresAt: number;
  readonly responses: InteractionResponse[] = [];
  originalRec: MessageRec | null = null;
  readonly followUpRecs: MessageRec[] = [];
  readonly #signal: Signal;

  constructor(
    init: { guildId: string; channelId: string | null; userId: string; command: CommandRec; ttlMs: number },
    signal: Signal,
  ) {
    this.expiresAt = this.createdAt + init.ttlMs;
    this.id = snowflake();
    this.token = `aW50ZXJhY3Rpb246${this.id}:${randomToken(48)}`;
    this.guildId = init.guildId;
    this.channelId = init.channelId;
    this.userId = init.userId;
    this.commandName = init.command.name;
    this.commandId = init.command.id;
    this.replyType = init.command.type === 1 ? 20 : 23;
    this.#signal = signal;
  }

  get original(): InteractionMessage | null {
    return this.originalRec ? messageView(this.originalRec) : null;
  }

  get followUps(): InteractionMessage[] {
    return this.followUpRecs.map(messageView);
  }

  toJSON(): InteractionView {
    return {
      id: this.id,
      token: this.token,
      guildId: this.guildId,
      channelId: this.channelId,
      userId: this.userId,
      commandName: this.commandName,
      commandId: this.commandId,
      sessionId: this.sessionId,
      sessionIds: this.sessionIds,
      createdAt: this.createdAt,
      expiresAt: this.expiresAt,
      responses: this.responses,
      original: this.original,
      followUps: this.followUps,
    };
  }

  waitFor<T>(check: (r: InteractionView) => T | undefined, timeoutMs = 30_000): Promise<T> {
    return this.#signal.waitFor(() => check(this), timeoutMs, `interaction /${this.commandName} ${this.id}`);
  }

  waitForResponse(timeoutMs = 30_000): Promise<InteractionResponse> {
    return this.waitFor((r) => r.responses[0], timeoutMs);
  }

  waitForReply(timeoutMs = 30_000): Promise<InteractionMessage> {
    return this.waitFor(
      (r) => (r.original && hasVisibleContent(r.original) ? r.original : undefined),
      timeoutMs,
    );
  }
}

export class InteractionRegistry {
  readonly #store: Store;
  readonly #ackDeadlineMs: number;
  readonly #tokenTtlMs: number;
  readonly #byId = new Map<string, Entry>();
  readonly changed = new Signal();

  constructor(store: Store, opts: { ackDeadlineMs: number; tokenTtlMs: number }) {
    this.#store = store;
    this.#ackDeadlineMs = opts.ackDeadlineMs;
    this.#tokenTtlMs = opts.tokenTtlMs;
  }

  get(id: string): InteractionRecord | undefined {
    return this.#byId.get(id);
  }

  all(): InteractionRecord[] {
    return [...this.#byId.values()];
  }

  /** Creates the record and the INTERACTION_CREATE payload; throws if the command was never registered. */
  create(input: InvokeCommandInput): { record: Entry; payload: Record<string, unknown> } {
    const store = this.#store;
    const g = store.guild(input.guildId);
    const member = g.members.get(input.userId);
    if (!member) throw new Error(`user ${input.userId} is not a member of guild ${g.id}`);
    const command = store.findCommand(g.id, input.name);
    if (!command) throw new Error(`command /${input.name} was never registered for guild ${g.id}`);
    const channels = [...g.channelIds].flatMap((id) => {
      const c = store.channels.get(id);
      return c ? [c] : [];
    });
    const channel = input.channelId
      ? store.guildChannel(g, input.channelId)
      : (channels.find((c) => c.type === ChannelType.GuildText) ?? channels[0]);
    const record = new Entry(
      {
        guildId: g.id,
        channelId: channel?.id ?? null,
        userId: input.userId,
        command,
        ttlMs: this.#tokenTtlMs,
      },
      this.changed,
    );
    const resolved = { users: {}, members: {}, channels: {}, roles: {} } as Record<
      string,
      Record<string, unknown>
    >;
    const options = buildOptions(store, g.id, command, input, resolved);
    const appPermissions = channel
      ? store.channelPermissions(g, store.bot.id, channel)
      : store.basePermissions(g, store.bot.id);
    const memberPermissions = channel
      ? store.channelPermissions(g, input.userId, channel)
      : store.basePermissions(g, input.userId);
    const data: Record<string, unknown> = {
      id: command.id,
      name: command.name,
      type: command.type,
      options,
      ...(command.guildId ? { guild_id: command.guildId } : {}),
    };
    if (Object.values(resolved).some((v) => Object.keys(v).length > 0)) data.resolved = resolved;
    const payload: Record<string, unknown> = {
      id: record.id,
      application_id: store.applicationId,
      type: 2,
      token: record.token,
      version: 1,
      guild_id: g.id,
      guild: { id: g.id, locale: 'en-US', features: [] },
      channel_id: channel?.id,
      channel: channel ? channelJson(store, channel) : undefined,
      member: { ...memberJson(store, member), permissions: memberPermissions.toString() },
      data,
      app_permissions: appPermissions.toString(),
      locale: input.locale ?? 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': g.id },
      context: 0,
      attachment_size_limit: 10485760,
    };
    this.#byId.set(record.id, record);
    return { record, payload };
  }

  notify(): void {
    this.changed.notify();
  }

  /** POST /interactions/{id}/{token}/callback */
  callback(id: string, token: string, body: Record<string, unknown>): Entry {
    const e = this.#byId.get(id);
    if (!e || e.token !== token) throw Errors.unknownInteraction();
    if (e.responses.length > 0) throw Errors.alreadyAcknowledged();
    if (this.#ackDeadlineMs > 0 && Date.now() - e.createdAt > this.#ackDeadlineMs)
      throw Errors.unknownInteraction();
    if (Date.now() >= e.expiresAt) throw Errors.unknownInteraction();
    const type = body.type;
    if (typeof type !== 'number' || ![1, 4, 5, 6, 7, 9].includes(type)) {
      throw Errors.form('type', 'BASE_TYPE_CHOICES', 'Value must be one of {1, 4, 5, 6, 7, 9}.');
    }
    const data = (typeof body.data === 'object' && body.data !== null ? body.data : {}) as MessageInput;
    if ((type === 4 || type === 7) && !hasVisibleContent(data)) throw Errors.emptyMessage();
    const flags = typeof data.flags === 'number' ? data.flags : 0;
    const response: InteractionResponse = { type, ephemeral: (flags & EPHEMERAL) !== 0, at: Date.now() };
    if (typeof data.content === 'string') response.content = data.content;
    if (Array.isArray(data.components)) response.components = data.components;
    if (Array.isArray(data.embeds)) response.embeds = data.embeds;
    if (data.flags !== undefined) response.flags = flags;
    e.responses.push(response);
    if (type === 4 || type === 7) {
      e.originalRec = toMessageRec(e.channelId ?? '', this.#store.bot.id, data, this.#store.applicationId);
    } else if (type === 5) {
      e.originalRec = toMessageRec(
        e.channelId ?? '',
        this.#store.bot.id,
        { flags: flags | LOADING },
        this.#store.applicationId,
      );
    }
    if (e.originalRec) e.originalRec.type = e.replyType;
    this.changed.notify();
    return e;
  }

  /**
   * Resolves /webhooks/{app}/{token} to its interaction (10015 Unknown Webhook otherwise). After the
   * token's 15 minutes every request with it gets 401 50027 Invalid Webhook Token, as reported on Discord.
   */
  byWebhook(applicationId: string, token: string): Entry {
    if (applicationId !== this.#store.applicationId) throw Errors.unknownWebhook();
    for (const e of this.#byId.values()) {
      if (e.token !== token) continue;
      if (Date.now() >= e.expiresAt) throw Errors.invalidWebhookToken();
      return e;
    }
    throw Errors.unknownWebhook();
  }

  followUp(e: Entry, body: MessageInput): MessageRec {
    if (e.responses.length === 0) throw Errors.unknownWebhook();
    if (!hasVisibleContent(body)) throw Errors.emptyMessage();
    const m = toMessageRec(e.channelId ?? '', this.#store.bot.id, body, this.#store.applicationId);
    e.followUpRecs.push(m);
    this.changed.notify();
    return m;
  }

  message(e: Entry, messageId: string): MessageRec {
    const m =
      messageId === '@original' ? e.originalRec : (e.followUpRecs.find((x) => x.id === messageId) ?? null);
    if (!m) throw Errors.unknownMessage();
    return m;
  }

  editMessage(e: Entry, messageId: string, body: MessageInput): MessageRec {
    const m = this.message(e, messageId);
    checkComponents(body.components);
    if (typeof body.content === 'string' || body.content === null) m.content = body.content ?? '';
    if (Array.isArray(body.components)) m.components = body.components;
    if (Array.isArray(body.embeds)) m.embeds = body.embeds;
    m.flags &= ~LOADING;
    m.editedAt = Date.now();
    this.changed.notify();
    return m;
  }

  deleteMessage(e: Entry, messageId: string): void {
    const m = this.message(e, messageId);
    if (m === e.originalRec) e.originalRec = null;
    else e.followUpRecs.splice(e.followUpRecs.indexOf(m), 1);
    this.changed.notify();
  }
}
