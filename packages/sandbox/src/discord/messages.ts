/** Messages the bot sent: DMs (by recipient) and guild channel messages. */
import { Errors } from './errors.ts';
import { snowflake } from './snowflake.ts';
import type { DmRecord, MessageRec } from './types.ts';
import { Signal } from './wait.ts';

export interface MessageInput {
  content?: unknown;
  components?: unknown;
  embeds?: unknown;
  flags?: unknown;
}

/** Link buttons (style 5) take a URL of at most 512 characters (Discord's component reference). */
const LINK_URL_MAX = 512;

/** 50035 for a link button whose URL is too long; nested action rows are walked. */
export function checkComponents(components: unknown, path = 'components'): void {
  if (!Array.isArray(components)) return;
  components.forEach((c, i) => {
    if (typeof c !== 'object' || c === null) return;
    const rec = c as { url?: unknown; components?: unknown };
    if (typeof rec.url === 'string' && rec.url.length > LINK_URL_MAX) {
      throw Errors.form(
        `${path}.${i}.url`,
        'BASE_TYPE_MAX_LENGTH',
        `Must be ${LINK_URL_MAX} or fewer in length.`,
      );
    }
    checkComponents(rec.components, `${path}.${i}.components`);
  });
}

/** Validates the components (50035), then tells whether the message shows anything. */
export function hasVisibleContent(input: MessageInput): boolean {
  checkComponents(input.components);
  return (
    (typeof input.content === 'string' && input.content.length > 0) ||
    (Array.isArray(input.components) && input.components.length > 0) ||
    (Array.isArray(input.embeds) && input.embeds.length > 0)
  );
}

export function toMessageRec(
  channelId: string,
  authorId: string,
  input: MessageInput,
  webhookId: string | null = null,
): MessageRec {
  return {
    id: snowflake(),
    channelId,
    authorId,
    content: typeof input.content === 'string' ? input.content : '',
    components: Array.isArray(input.components) ? input.components : [],
    embeds: Array.isArray(input.embeds) ? input.embeds : [],
    flags: typeof input.flags === 'number' ? input.flags : 0,
    at: Date.now(),
    editedAt: null,
    webhookId,
  };
}

export class MessageLog {
  #byChannel = new Map<string, MessageRec[]>();
  #dmsByUser = new Map<string, DmRecord[]>();
  readonly changed = new Signal();

  add(m: MessageRec, dmRecipient: string | null): void {
    const list = this.#byChannel.get(m.channelId) ?? [];
    list.push(m);
    this.#byChannel.set(m.channelId, list);
    if (dmRecipient) {
      const dms = this.#dmsByUser.get(dmRecipient) ?? [];
      const rec: DmRecord = { id: m.id, channelId: m.channelId, content: m.content, at: m.at };
      if (m.components.length > 0) rec.components = m.components;
      if (m.embeds.length > 0) rec.embeds = m.embeds;
      dms.push(rec);
      this.#dmsByUser.set(dmRecipient, dms);
    }
    this.changed.notify();
  }

  /** An edit: only the fields given change (a null content clears it), and `editedAt` is set. */
  edit(m: MessageRec, input: MessageInput): MessageRec {
    if (typeof input.content === 'string' || input.content === null) m.content = input.content ?? '';
    if (Array.isArray(input.components)) m.components = input.components;
    if (Array.isArray(input.embeds)) m.embeds = input.embeds;
    m.editedAt = Date.now();
    this.changed.notify();
    return m;
  }

  /** A member (a moderator) deleted the message. Answers whether there was one. */
  remove(channelId: string, messageId: string): boolean {
    const list = this.#byChannel.get(channelId);
    const i = list?.findIndex((m) => m.id === messageId) ?? -1;
    if (!list || i < 0) return false;
    list.splice(i, 1);
    this.changed.notify();
    return true;
  }

  channel(channelId: string): MessageRec[] {
    return [...(this.#byChannel.get(channelId) ?? [])];
  }

  find(channelId: string, messageId: string): MessageRec | undefined {
    return this.#byChannel.get(channelId)?.find((m) => m.id === messageId);
  }

  dms(userId: string): DmRecord[] {
    return [...(this.#dmsByUser.get(userId) ?? [])];
  }

  waitForDm(userId: string, predicate: (m: DmRecord) => boolean, timeoutMs: number): Promise<DmRecord> {
    return this.changed.waitFor(
      () => this.#dmsByUser.get(userId)?.find(predicate),
      timeoutMs,
      `a DM to user ${userId}`,
    );
  }
}
