/** Builds Discord API JSON from the store's records. */
import type {
  ChannelRec,
  CommandRec,
  GuildRec,
  MemberRec,
  MessageRec,
  OverwriteRec,
  RoleRec,
  StoreView,
  UserRec,
  VoiceRec,
} from './types.ts';
import { ChannelType } from './types.ts';

export const Intent = { Guilds: 1, GuildMembers: 2, GuildVoiceStates: 128 } as const;

export function userJson(u: UserRec): Record<string, unknown> {
  return {
    id: u.id,
    username: u.username,
    discriminator: '0',
    global_name: u.globalName,
    avatar: null,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
    collectibles: null,
    // The user's server tag (guild tags, changelog 2025-07-02); the spec requires the field, null when none.
    primary_guild: null,
    public_flags: 0,
    flags: 0,
    ...(u.bot ? { bot: true } : {}),
  };
}

/** A user the store does not know (a member record without its user). */
const unknownUser = (id: string): UserRec => ({
  id,
  username: 'unknown',
  globalName: null,
  bot: false,
  dmsClosed: false,
});

export function roleJson(r: RoleRec): Record<string, unknown> {
  return {
    id: r.id,
    name: r.name,
    permissions: r.permissions.toString(),
    position: r.position,
    // `color` is deprecated for `colors` (gradient roles, changelog 2025-07-02); both are sent. discord.js
    // 14.28 reads only `colors` (role.hexColor, member.displayColor).
    color: r.color ?? 0,
    colors: { primary_color: r.color ?? 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    managed: r.managed,
    mentionable: false,
    icon: null,
    unicode_emoji: null,
    flags: 0,
    ...(r.botId ? { tags: { bot_id: r.botId } } : {}),
  };
}

export function overwriteJson(o: OverwriteRec): Record<string, unknown> {
  return { id: o.id, type: o.type, allow: o.allow.toString(), deny: o.deny.toString() };
}

export function channelJson(store: StoreView, c: ChannelRec): Record<string, unknown> {
  if (c.type === ChannelType.DM) {
    const recipient = c.recipientId ? store.users.get(c.recipientId) : undefined;
    return {
      id: c.id,
      type: c.type,
      last_message_id: null,
      flags: 0,
      recipients: recipient ? [userJson(recipient)] : [],
    };
  }
  const base: Record<string, unknown> = {
    id: c.id,
    type: c.type,
    guild_id: c.guildId,
    name: c.name,
    position: c.position,
    parent_id: c.parentId,
    permission_overwrites: c.overwrites.map(overwriteJson),
    flags: 0,
    nsfw: false,
  };
  if (c.type === ChannelType.GuildVoice) {
    Object.assign(base, {
      bitrate: c.bitrate,
      user_limit: c.userLimit,
      rtc_region: null,
      last_message_id: null,
      rate_limit_per_user: 0,
    });
  } else if (c.type === ChannelType.GuildText) {
    Object.assign(base, { topic: c.topic, last_message_id: null, rate_limit_per_user: 0 });
  }
  return base;
}

export function memberJson(store: StoreView, m: MemberRec): Record<string, unknown> {
  const user = store.users.get(m.userId);
  return {
    user: userJson(user ?? unknownUser(m.userId)),
    nick: m.nick,
    avatar: null,
    // The member's guild banner (changelog 2024-07-16).
    banner: null,
    roles: [...m.roles],
    joined_at: m.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    pending: false,
    flags: 0,
    communication_disabled_until: null,
  };
}

export function voiceStateJson(
  store: StoreView,
  guild: GuildRec,
  userId: string,
  v: VoiceRec | null,
  opts: { guildId: boolean; member: boolean },
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    channel_id: v ? v.channelId : null,
    user_id: userId,
    session_id: v ? v.sessionId : '',
    deaf: v?.deaf ?? false,
    mute: v?.mute ?? false,
    self_deaf: v?.selfDeaf ?? false,
    self_mute: v?.selfMute ?? false,
    self_video: false,
    suppress: false,
    request_to_speak_timestamp: null,
  };
  if (opts.guildId) out.guild_id = guild.id;
  const member = guild.members.get(userId);
  if (opts.member && member) out.member = memberJson(store, member);
  return out;
}

function guildBase(g: GuildRec): Record<string, unknown> {
  return {
    id: g.id,
    name: g.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: g.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: [...g.roles.values()].map(roleJson),
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: 'en-US',
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    // Required by the spec (get_guild); the values are what real guilds report in captured payloads.
    home_header: null,
    region: 'deprecated',
    widget_enabled: false,
    widget_channel_id: null,
    max_presences: null,
    max_members: 25_000_000,
    max_stage_video_channel_users: 50,
    max_video_channel_users: 25,
    safety_alerts_channel_id: null,
    nsfw: false,
    incidents_data: null,
  };
}

export function guildJson(g: GuildRec): Record<string, unknown> {
  return guildBase(g);
}

/** GUILD_CREATE for one session, honouring its intents. */
export function guildCreateJson(store: StoreView, g: GuildRec, intents: number): Record<string, unknown> {
  const wantsMembers = (intents & Intent.GuildMembers) !== 0;
  const wantsVoice = (intents & Intent.GuildVoiceStates) !== 0;
  const members = [...g.members.values()].filter(
    (m) => wantsMembers || m.userId === store.bot.id || g.voice.has(m.userId),
  );
  return {
    ...guildBase(g),
    unavailable: false,
    joined_at: g.createdAt,
    large: false,
    member_count: g.members.size,
    channels: [...g.channelIds]
      .map((id) => store.channels.get(id))
      .flatMap((c) => (c ? [channelJson(store, c)] : [])),
    members: members.map((m) => memberJson(store, m)),
    voice_states: wantsVoice
      ? [...g.voice.entries()].map(([userId, v]) =>
          voiceStateJson(store, g, userId, v, { guildId: false, member: false }),
        )
      : [],
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

export function messageJson(store: StoreView, m: MessageRec): Record<string, unknown> {
  const author = store.users.get(m.authorId);
  return {
    id: m.id,
    channel_id: m.channelId,
    type: m.type ?? 0,
    content: m.content,
    author: userJson(author ?? unknownUser(m.authorId)),
    timestamp: new Date(m.at).toISOString(),
    edited_timestamp: m.editedAt === null ? null : new Date(m.editedAt).toISOString(),
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: m.embeds.map(embedJson),
    components: componentsJson(m.components),
    pinned: false,
    flags: m.flags,
    ...(m.webhookId ? { webhook_id: m.webhookId, application_id: m.webhookId } : {}),
  };
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An embed as Discord stores a bot's: `type` "rich" (message.mdx, Embed Object), each field's `inline` set. */
function embedJson(e: unknown): unknown {
  if (!isRec(e)) return e;
  const out: Rec = { ...e, type: 'rich' };
  if (Array.isArray(e.fields)) {
    out.fields = e.fields.map((f) => (isRec(f) ? { ...f, inline: f.inline === true } : f));
  }
  return out;
}

/**
 * Components with their `id`: the one the bot gave, else the next number not used in the message, in order of
 * appearance; 0 counts as none (components/reference.mdx: "generated sequentially if left empty").
 */
function componentsJson(components: unknown[]): unknown[] {
  const used = new Set<number>();
  const collect = (list: unknown): void => {
    if (!Array.isArray(list)) return;
    for (const c of list) {
      if (!isRec(c)) continue;
      if (typeof c.id === 'number' && c.id > 0) used.add(c.id);
      collect(c.components);
    }
  };
  collect(components);
  let next = 1;
  const assign = (list: unknown[]): unknown[] =>
    list.map((c) => {
      if (!isRec(c)) return c;
      const out: Rec = { ...c };
      if (!(typeof c.id === 'number' && c.id > 0)) {
        while (used.has(next)) next++;
        out.id = next;
        used.add(next);
      }
      if (Array.isArray(c.components)) out.components = assign(c.components);
      return out;
    });
  return assign(components);
}

export function commandJson(applicationId: string, c: CommandRec): Record<string, unknown> {
  return {
    options: [],
    default_member_permissions: null,
    nsfw: false,
    contexts: null,
    integration_types: [0],
    description: '',
    ...c.data,
    id: c.id,
    application_id: applicationId,
    ...(c.guildId ? { guild_id: c.guildId } : {}),
    name: c.name,
    type: c.type,
    version: c.version,
  };
}
