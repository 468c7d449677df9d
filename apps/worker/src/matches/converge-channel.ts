import { type ChannelPlan, diffOverwrites, isEmptyDiff } from '@bridge/core';
import type { GuildBasedChannel } from 'discord.js';
import {
  bridgeVoiceChannels,
  createVoiceChannel,
  findBridgeChannelListed,
  getChannel,
  overwritesOf,
  stillThere,
  toDiscord,
} from '../discord/channels.ts';
import { discordOp } from '../discord/errors.ts';
import { categoryLease, LEASE, withLeaseTaken } from '../lib/leases.ts';
import { channelLeaseKey, type GuildBuild } from './guild-build.ts';

/**
 * Exactly one channel for (match, guild, faction): under a SQL lease that covers the whole create, reuse the
 * row's channel, else adopt a bridge-created channel with the deterministic name (created before a
 * crash; looked up in the cache, then — when an earlier attempt may have made it — in Discord's REST
 * listing), else create one. The ended marker is re-checked with the row write (one transaction that
 * locks the match's state): when a matchFinished ran meanwhile it returns null and the caller runs
 * removeMatchChannels (lobby first, then delete). Returns the channel id, or null.
 */
export async function convergeChannel(build: GuildBuild, plan: ChannelPlan): Promise<string | null> {
  const { ctx, guild, matchId, holder, log } = build;
  const { categoryId } = build.settings;
  const key = channelLeaseKey(matchId, guild.id, plan.faction);
  // One round trip takes the lease and reads the ended marker (a cheap pre-check; the authoritative one
  // comes with the row write) and the faction's channel on record; the first may have been asked for ahead.
  let ahead = build.takeLease(key);
  const begin = () => {
    const attempt =
      ahead ?? ctx.matches.beginChannel(matchId, guild.id, plan.faction, key, holder, LEASE.ttlSeconds);
    ahead = undefined;
    return attempt;
  };
  return withLeaseTaken(ctx, key, holder, begin, async ({ ended, channelId, maybeOrphan }) => {
    log.debug({ faction: plan.faction }, 'channel lease taken');
    if (ended) return null;
    let channel: GuildBasedChannel | null = channelId ? await getChannel(guild, channelId) : null;
    if (!channel) {
      // Checked with Discord: the guild's picture may be a moment old, and a channel of the same name that
      // another copy deleted since (a match re-opened right after its end) must not be adopted.
      const named = bridgeVoiceChannels(guild, categoryId).find((c) => c.name === plan.name);
      channel = named ? await stillThere(guild, named.id) : null;
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
        categoryLease(ctx, categoryId, holder),
        build.settings.userLimit,
      );
      log.info({ channelId: channel.id, faction: plan.faction, name: plan.name }, 'channel created');
      // Its moves start now, while its row is written (one round trip off the path to the first move).
      build.startMoves(plan, channel.id);
    }
    const recorded = await ctx.matches.recordChannel(
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
