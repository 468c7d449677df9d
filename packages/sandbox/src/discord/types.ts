/** Internal records of the emulator's state store and the public shapes built from them. */

export type ChannelKind = 'voice' | 'category' | 'text';

export const ChannelType = { GuildText: 0, DM: 1, GuildVoice: 2, GuildCategory: 4 } as const;

export interface UserRec {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
  /** When true, POST /channels/{dm}/messages answers 50007 (user has DMs closed). */
  dmsClosed: boolean;
}

export interface RoleRec {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
  managed: boolean;
  botId: string | null;
  /** the role's (primary) colour, 0 = none */
  color?: number;
}

export interface OverwriteRec {
  id: string;
  /** 0 = role, 1 = member */
  type: 0 | 1;
  allow: bigint;
  deny: bigint;
}

export interface ChannelRec {
  id: string;
  guildId: string | null;
  type: number;
  name: string;
  parentId: string | null;
  position: number;
  overwrites: OverwriteRec[];
  createdBy: 'seed' | 'bot';
  userLimit: number;
  bitrate: number;
  topic: string | null;
  /** DM channels only */
  recipientId: string | null;
  /** Voice channels: the status shown under the name (PUT /channels/{id}/voice-status); '' = none. */
  voiceStatus?: string;
}

export interface MemberRec {
  userId: string;
  roles: string[];
  nick: string | null;
  joinedAt: string;
}

export interface VoiceRec {
  channelId: string;
  sessionId: string;
  selfMute: boolean;
  selfDeaf: boolean;
  mute: boolean;
  deaf: boolean;
}

export interface CommandRec {
  id: string;
  guildId: string | null;
  name: string;
  type: number;
  version: string;
  /** the stored JSON as given by the bot, minus server-assigned fields */
  data: Record<string, unknown>;
}

export interface GuildRec {
  id: string;
  name: string;
  ownerId: string;
  createdAt: string;
  roles: Map<string, RoleRec>;
  /** channel ids in creation order */
  channelIds: Set<string>;
  members: Map<string, MemberRec>;
  voice: Map<string, VoiceRec>;
  /** null until the bot registers commands for this guild */
  commands: CommandRec[] | null;
}

export interface MessageRec {
  id: string;
  channelId: string;
  authorId: string;
  content: string;
  components: unknown[];
  embeds: unknown[];
  flags: number;
  at: number;
  editedAt: number | null;
  webhookId: string | null;
  /** Discord's message type: 0 DEFAULT (absent), 20 CHAT_INPUT_COMMAND for a slash command's reply */
  type?: number;
}

/** Input of seedGuild(). */
export interface GuildSpec {
  id?: string;
  name?: string;
  ownerId?: string;
  /** Use name '@everyone' to set the @everyone role's permissions. */
  roles?: readonly { id?: string; name: string; permissions?: string; color?: number }[];
  channels?: readonly {
    id?: string;
    name: string;
    type: ChannelKind;
    parentId?: string;
    parent?: string;
    /**
     * Permission overwrites. `to` is '@everyone', '@bot' (the bot user), a role name, a member username, or an
     * id (a role's if one has it, else a user's); allow/deny are bitfield strings.
     */
    overwrites?: readonly { to: string; allow?: string; deny?: string }[];
  }[];
  members?: readonly MemberSpec[];
  /** bitfield string for the bot's managed role */
  botPermissions?: string;
}

export interface MemberSpec {
  id?: string;
  username: string;
  globalName?: string;
  /** role names (seeded in the same guild) or role ids */
  roles?: readonly string[];
  /** shortcut: a role named after the member with these permissions */
  permissions?: string;
  nick?: string;
  dmsClosed?: boolean;
}

type NamesOf<T, K extends string> = T extends readonly (infer E)[]
  ? E extends { [P in K]: infer N extends string }
    ? N
    : never
  : never;

/** Output of seedGuild(): ids by name (keys typed from a literal spec). */
export interface GuildSeed<S extends GuildSpec = GuildSpec> {
  guildId: string;
  everyoneRoleId: string;
  botRoleId: string;
  roles: Record<NamesOf<S['roles'], 'name'>, string>;
  channels: Record<NamesOf<S['channels'], 'name'>, string>;
  members: Record<NamesOf<S['members'], 'username'>, string>;
}

export interface StateSnapshot {
  guild: { id: string; name: string; ownerId: string };
  channels: Array<{
    id: string;
    name: string;
    type: ChannelKind | number;
    parentId: string | null;
    position: number;
    permissionOverwrites: { id: string; type: 0 | 1; allow: string; deny: string }[];
    createdBy: 'seed' | 'bot';
    /** Voice channels with a status set: that status. */
    status?: string;
  }>;
  voiceStates: Record<string, string>;
  members: Array<{ id: string; username: string; nick: string | null; roles: string[] }>;
  roles: Array<{ id: string; name: string; permissions: string; position: number; managed: boolean }>;
  commands: Array<{ id: string; name: string; type: number }> | null;
}

export interface DmRecord {
  id: string;
  channelId: string;
  content: string;
  components?: unknown[];
  embeds?: unknown[];
  at: number;
}

export type OptionValue = string | number | boolean;

export interface InvokeCommandInput {
  guildId: string;
  userId: string;
  name: string;
  subcommand?: string;
  subcommandGroup?: string;
  /** option name → value; types come from the registered command (USER/CHANNEL/ROLE values are ids) */
  options?: Record<string, OptionValue>;
  /** channel the command is used in; default: the guild's first text channel, else its first channel */
  channelId?: string;
  locale?: string;
}

/** What seeding, serialising and snapshots read from the store (state.ts's Store); kept here so they need not
 *  import state.ts, which imports them. */
export interface StoreView {
  readonly users: Map<string, UserRec>;
  readonly guilds: Map<string, GuildRec>;
  readonly channels: Map<string, ChannelRec>;
  readonly bot: UserRec;
  guild(id: string): GuildRec;
  emit(t: string, guildId: string, d: unknown, intent: number, delayMs?: number): void;
}
