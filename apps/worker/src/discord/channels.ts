import {
  BOT_ALLOW,
  type CategoryInfo,
  chooseCategory,
  isBridgeCreated,
  type Overwrite,
  overflowIndex,
  PERM,
} from '@bridge/core';
import { UnrecoverableError } from 'bullmq';
import {
  type CategoryChannel,
  ChannelType,
  type Guild,
  type GuildBasedChannel,
  OverwriteType,
  type VoiceChannel,
} from 'discord.js';
import { discordCode, discordOp, discordOpIgnoring, isCategoryFull, isParentGone } from './errors.ts';
import { recordVoiceMove } from './voice.ts';

/** Discord's real per-category limit; the emulator may use a smaller one, caught by isCategoryFull. */
const CATEGORY_LIMIT = 50;

export function overwritesOf(channel: GuildBasedChannel): Overwrite[] {
  if (!('permissionOverwrites' in channel)) return [];
  return [...channel.permissionOverwrites.cache.values()].map((o) => ({
    id: o.id,
    type: o.type === OverwriteType.Member ? 'member' : 'role',
    allow: o.allow.bitfield,
    deny: o.deny.bitfield,
  }));
}

export function toDiscord(o: Overwrite) {
  return {
    id: o.id,
    type: o.type === 'member' ? OverwriteType.Member : OverwriteType.Role,
    allow: o.allow,
    deny: o.deny,
  };
}

export function bridgeCreated(channel: GuildBasedChannel, botUserId: string): boolean {
  return isBridgeCreated(overwritesOf(channel), botUserId);
}

/** The configured category and the overflow categories this bridge created next to it. */
export function managedCategories(guild: Guild, baseId: string | undefined): CategoryChannel[] {
  if (!baseId) return [];
  const base = guild.channels.cache.get(baseId);
  if (!base || base.type !== ChannelType.GuildCategory) return [];
  const overflow = guild.channels.cache.filter(
    (c): c is CategoryChannel =>
      c.type === ChannelType.GuildCategory &&
      overflowIndex(base.name, c.name) !== null &&
      bridgeCreated(c, guild.client.user.id),
  );
  return [base, ...overflow.values()];
}

/** Parent ids where match channels live (null = top level when no category is configured). */
export function managedParentIds(guild: Guild, baseId: string | undefined): (string | null)[] {
  return baseId ? managedCategories(guild, baseId).map((c) => c.id) : [null];
}

/** Voice channels this bridge created in its categories (name test left to the caller). */
export function bridgeVoiceChannels(guild: Guild, baseId: string | undefined): VoiceChannel[] {
  const parents = new Set(managedParentIds(guild, baseId));
  const botId = guild.client.user.id;
  return [
    ...guild.channels.cache
      .filter(
        (c): c is VoiceChannel =>
          c.type === ChannelType.GuildVoice && parents.has(c.parentId) && bridgeCreated(c, botId),
      )
      .values(),
  ];
}

/**
 * The bridge-created voice channel named `name` in the managed categories, looked up in Discord's REST
 * listing of the guild's channels, not the gateway cache: a copy that takes over after a crash may not
 * have received the CHANNEL_CREATE of the channel the dead copy made (dispatches lag the REST reply).
 */
export async function findBridgeChannelListed(
  guild: Guild,
  baseId: string | undefined,
  name: string,
): Promise<VoiceChannel | null> {
  const listed = await discordOp('list the channels of the guild', () => guild.channels.fetch());
  // After the listing, the cache holds every category too (an overflow one a dead copy made).
  const parents = new Set(managedParentIds(guild, baseId));
  const botId = guild.client.user.id;
  return (
    listed.find(
      (c): c is VoiceChannel =>
        c?.type === ChannelType.GuildVoice &&
        c.name === name &&
        parents.has(c.parentId) &&
        bridgeCreated(c, botId),
    ) ?? null
  );
}

export async function getChannel(guild: Guild, id: string): Promise<GuildBasedChannel | null> {
  const cached = guild.channels.cache.get(id);
  if (cached) return cached;
  return discordOpIgnoring(`read channel ${id}`, [10003], () => guild.channels.fetch(id));
}

/**
 * The channel as Discord has it now, or null (and out of the cache) when it is gone: for a channel found only
 * in a picture of the guild that may be a moment old (a shared read), which another copy may have deleted since.
 */
export async function stillThere(guild: Guild, id: string): Promise<GuildBasedChannel | null> {
  const channel = await discordOpIgnoring(`read channel ${id}`, [10003], () =>
    guild.channels.fetch(id, { force: true }),
  );
  if (!channel) guild.channels.cache.delete(id);
  return channel;
}

function childCount(guild: Guild, id: string): number {
  return guild.channels.cache.filter((c) => c.parentId === id).size;
}

/**
 * Creates the voice channel in the first managed category with room, creating an overflow category
 * ("<name> 2", …) with the base category's overwrites when all are full. An overflow category is chosen (or
 * made) and given its channel under `withCategoryLease`, which its removal takes too: one copy's clean-up
 * never deletes an overflow category another copy has just made for a channel it is creating.
 */
export async function createVoiceChannel(
  guild: Guild,
  baseId: string | undefined,
  name: string,
  overwrites: Overwrite[],
  withCategoryLease: CategoryLease,
  /** Discord's voice user_limit; 0 = no limit. */
  userLimit = 0,
): Promise<VoiceChannel> {
  const create = (parent: string | null) =>
    discordOp(`create voice channel ${name}${parent ? ` in category ${parent}` : ''}`, () =>
      guild.channels.create({
        name,
        type: ChannelType.GuildVoice,
        ...(parent ? { parent } : {}),
        ...(userLimit > 0 ? { userLimit } : {}),
        permissionOverwrites: overwrites.map(toDiscord),
      }),
    );
  if (!baseId) return create(null);
  // Categories Discord refused: full whatever the count says, or deleted since the cache saw them.
  const refused = new Set<string>();
  const tryIn = async (parent: string) => {
    try {
      return await create(parent);
    } catch (err) {
      if (!isCategoryFull(err) && !isParentGone(err)) throw err;
      refused.add(parent);
      return null;
    }
  };
  for (let i = 0; i < 20; i++) {
    const [base, ...overflow] = managedCategories(guild, baseId);
    if (!base) throw await missingCategory(guild, baseId);
    const info = (c: CategoryChannel): CategoryInfo => ({
      id: c.id,
      name: c.name,
      children: childCount(guild, c.id),
    });
    const choice = chooseCategory(info(base), overflow.map(info), CATEGORY_LIMIT, refused);
    const made =
      'use' in choice && choice.use === base.id
        ? await tryIn(base.id)
        : await withCategoryLease(async () =>
            tryIn('use' in choice ? choice.use : await ensureOverflow(guild, base, choice.create, refused)),
          );
    if (made) return made;
  }
  throw new Error(`no room for ${name}: every managed category is full`);
}

/** Runs `fn` holding the lease of the guild's match category (its overflow categories' creation and removal). */
export type CategoryLease = <T>(fn: () => Promise<T>) => Promise<T>;

async function missingCategory(guild: Guild, baseId: string): Promise<Error> {
  const fetched = await discordOpIgnoring(`read category ${baseId}`, [10003], () =>
    guild.channels.fetch(baseId),
  );
  if (fetched) return new Error(`category ${baseId} not in cache yet; retrying`);
  return new UnrecoverableError(`VC_CATEGORY_ID=${baseId} is not a category of the guild: fix the id`);
}

async function ensureOverflow(
  guild: Guild,
  base: CategoryChannel,
  name: string,
  refused: ReadonlySet<string>,
): Promise<string> {
  const existing = guild.channels.cache.find(
    (c) =>
      c.type === ChannelType.GuildCategory &&
      c.name === name &&
      !refused.has(c.id) &&
      bridgeCreated(c, guild.client.user.id),
  );
  if (existing) return existing.id;
  const botId = guild.client.user.id;
  // Same overwrites as the base category; Manage Roles stripped (only Administrator may grant it).
  const copied = overwritesOf(base)
    .filter((o) => o.id !== botId)
    .map((o) => ({ ...o, allow: o.allow & ~PERM.ManageRoles, deny: o.deny & ~PERM.ManageRoles }));
  const created = await discordOp(`create overflow category ${name}`, () =>
    guild.channels.create({
      name,
      type: ChannelType.GuildCategory,
      permissionOverwrites: [
        ...copied,
        { id: botId, type: 'member' as const, allow: BOT_ALLOW, deny: 0n },
      ].map(toDiscord),
    }),
  );
  return created.id;
}

/**
 * Deletes overflow categories this bridge created that hold no channel any more. Only when this copy's cache
 * shows one empty (most calls ask nothing): then, under the category lease (no build is filling one), a fresh
 * listing decides, since a channel another copy made may not have reached this cache yet.
 */
export async function removeEmptyOverflow(
  guild: Guild,
  baseId: string | undefined,
  withCategoryLease: CategoryLease,
): Promise<string[]> {
  if (!baseId) return [];
  if (managedCategories(guild, baseId).every((c) => c.id === baseId || childCount(guild, c.id) > 0))
    return [];
  return withCategoryLease(async () => {
    // The listing adds what it finds to the cache but drops nothing from it: it alone decides.
    const listed = await discordOp('list the channels of the guild', () => guild.channels.fetch());
    const removed: string[] = [];
    for (const cat of managedCategories(guild, baseId).slice(1)) {
      if (!listed.has(cat.id) || listed.some((c) => c?.parentId === cat.id)) continue;
      await discordOpIgnoring(`delete empty overflow category ${cat.name}`, [10003], () => cat.delete());
      removed.push(cat.id);
    }
    return removed;
  });
}

/**
 * Discord refused to move one member (50013 / 50001): the bot lacks a permission in the channel the
 * member is in or in the target. That is one player's problem: callers log it and carry on.
 */
export class MoveRefusedError extends Error {
  readonly code: number;
  constructor(what: string, code: number, discordMessage: string) {
    super(
      `${what}: Discord refused (${code}: ${discordMessage}). Give the bot role View Channel, Connect and Move Members in the channel the member is in and in the target (the lobby, VC_LOBBY_CHANNEL_ID, or the match category)`,
    );
    this.name = 'MoveRefusedError';
    this.code = code;
  }
}

function isUnresolvedChannel(err: unknown): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === 'GuildVoiceChannelResolve';
}

/**
 * discord.js resolves the target from this copy's cache. A channel another copy has just created may
 * not have reached this copy's gateway yet (CHANNEL_CREATE comes after the REST reply): fetch it, retry once.
 */
async function editVoiceChannel(guild: Guild, userId: string, channelId: string | null): Promise<unknown> {
  const edit = () => guild.members.edit(userId, { channel: channelId });
  if (channelId === null) return edit();
  if (guild.channels.cache.has(channelId)) {
    try {
      return await edit();
    } catch (err) {
      if (!isUnresolvedChannel(err)) throw err;
    }
  }
  await guild.channels.fetch(channelId, { force: true });
  return edit();
}

/**
 * Moves a member into a voice channel (null: disconnects them); false when they are no longer
 * connected (or left the guild). A refusal (50013/50001) throws MoveRefusedError.
 */
export async function moveMember(guild: Guild, userId: string, channelId: string | null): Promise<boolean> {
  const what = channelId ? `move member ${userId} into channel ${channelId}` : `disconnect member ${userId}`;
  const done = await discordOpIgnoring(what, [40032, 10007], async () => {
    try {
      return await editVoiceChannel(guild, userId, channelId);
    } catch (err) {
      const code = discordCode(err);
      if (code === 50013 || code === 50001) throw new MoveRefusedError(what, code, (err as Error).message);
      throw err;
    }
  });
  // 40032 (not in voice) and 10007 (left the guild): out of voice either way.
  await recordVoiceMove(guild, userId, done === null ? null : channelId);
  return done !== null;
}

export async function deleteChannel(guild: Guild, id: string): Promise<void> {
  await discordOpIgnoring(`delete channel ${id}`, [10003], () => guild.channels.delete(id));
}
