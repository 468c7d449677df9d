import { type ChannelPlan, diffOverwrites, type Faction, isEmptyDiff, type Logger } from '@bridge/core';
import type { Guild, GuildBasedChannel } from 'discord.js';
import {
  bridgeVoiceChannels,
  createVoiceChannel,
  findBridgeChannelListed,
  getChannel,
  overwritesOf,
  toDiscord,
} from '../discord/channels.ts';
import { discordOp } from '../discord/errors.ts';
import { LEASE, withLease, withLeaseTaken } from '../lib/leases.ts';
import type { VoiceSettings } from './guild-settings.ts';
import { leasesOf, type MatchContext } from './match-context.ts';

/** Per (match, guild, faction): another guild's build of the same match is not this one's business. */
export const channelLeaseKey = (matchId: string, guildId: string, faction: Faction) =>
  `vc-${matchId}-${guildId}-${faction}`;

/** Takes the (match, guild, faction) channel lease, reading the ended marker and the row on record with it. */
export function beginChannel(
  ctx: MatchContext,
  matchId: string,
  guildId: string,
  faction: Faction,
  holder: string,
) {
  return ctx.store.beginChannel(
    matchId,
    guildId,
    faction,
    channelLeaseKey(matchId, guildId, faction),
    holder,
    LEASE.ttlSeconds,
  );
}

/**
 * Exactly one channel for (match, guild, faction): under a SQL lease that covers the whole create, reuse the
 * row's channel, else adopt a bridge-created channel with the deterministic name (created before a
 * crash; looked up in the cache, then — when an earlier attempt may have made it — in Discord's REST
 * listing), else create one. The ended marker is re-checked with the row write (one transaction that
 * locks the match's state): when a matchFinished ran meanwhile it returns null and the caller runs
 * removeMatchChannels (lobby first, then delete). Returns the channel id, or null.
 */
export async function convergeChannel(
  ctx: MatchContext,
  guild: Guild,
  settings: VoiceSettings,
  matchId: string,
  plan: ChannelPlan,
  holder: string,
  log: Logger,
  /** beginChannel already asked for (overlapped with other work by the caller), for the first take */
  begun?: ReturnType<typeof beginChannel>,
  /** Told of a channel this call created, before its row is written (the caller may start moves). */
  onCreated?: (channelId: string) => void,
): Promise<string | null> {
  const { categoryId } = settings;
  const key = channelLeaseKey(matchId, guild.id, plan.faction);
  // One round trip takes the lease and reads the ended marker (a cheap pre-check; the authoritative one
  // comes with the row write) and the faction's channel on record. The caller may have started it.
  let first = begun;
  const begin = () => {
    const attempt = first ?? beginChannel(ctx, matchId, guild.id, plan.faction, holder);
    first = undefined;
    return attempt;
  };
  return withLeaseTaken(leasesOf(ctx), key, holder, begin, async ({ ended, channelId, maybeOrphan }) => {
    log.debug({ faction: plan.faction }, 'channel lease taken');
    if (ended) return null;
    let channel: GuildBasedChannel | null = channelId ? await getChannel(guild, channelId) : null;
    if (!channel) {
      channel = bridgeVoiceChannels(guild, categoryId).find((c) => c.name === plan.name) ?? null;
      if (channel) log.info({ channelId: channel.id, faction: plan.faction }, 'existing channel adopted');
    }
    if (!channel && maybeOrphan) {
      // An earlier attempt may have created it just before it died, and the cache may lag: ask Discord
      // itself. Only then: the listing is a request (and a wait) on every create's critical path.
      channel = await findBridgeChannelListed(guild, categoryId, plan.name);
      if (channel) log.info({ channelId: channel.id, faction: plan.faction }, 'existing channel adopted');
    }
    if (!channel) {
      channel = await createVoiceChannel(
        guild,
        categoryId,
        plan.name,
        plan.overwrites,
        (fn) => withLease(leasesOf(ctx), `category-${categoryId}`, holder, fn),
        settings.userLimit,
      );
      log.info({ channelId: channel.id, faction: plan.faction, name: plan.name }, 'channel created');
      onCreated?.(channel.id);
    }
    const recorded = await ctx.store.recordChannel(
      { match_id: matchId, faction: plan.faction, guild_id: guild.id, voice_channel_id: channel.id },
      key,
    );
    log.debug({ faction: plan.faction }, 'channel recorded');
    if (recorded.ended) {
      // The caller cleans up with removeMatchChannels, which first moves anyone inside to the lobby (deleting
      // here would disconnect players a concurrent job had just moved in).
      log.info(
        { channelId: channel.id },
        'match ended meanwhile: leaving the cleanup to removeMatchChannels',
      );
      return null;
    }
    const diff = diffOverwrites(plan.overwrites, overwritesOf(channel));
    if (!isEmptyDiff(diff) && 'permissionOverwrites' in channel) {
      const target = channel;
      await discordOp(`update permissions of channel ${channel.id}`, () =>
        target.permissionOverwrites.set(plan.overwrites.map(toDiscord)),
      );
      log.info(
        { channelId: channel.id, added: diff.upsert.length, removed: diff.remove.length },
        'permissions updated',
      );
    }
    return channel.id;
  });
}
