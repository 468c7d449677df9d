import { type ChannelPlan, diffOverwrites, isEmptyDiff, type Logger } from '@bridge/core';
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
import type { VoiceSettings } from './guild-settings.ts';
import { type MatchContext, withLease } from './match-context.ts';

/**
 * Exactly one channel for (match, faction): under a SQL lease that covers the whole create, reuse the
 * row's channel, else adopt a bridge-created channel with the deterministic name (created before a
 * crash; looked up in the cache, then in Discord's REST listing), else create one. The
 * ended marker is re-checked AFTER the row is written: when a matchFinished ran meanwhile it returns
 * null and the caller runs finishMatch (lobby first, then delete). Returns the channel id, or null.
 */
export async function convergeChannel(
  ctx: MatchContext,
  guild: Guild,
  settings: VoiceSettings,
  matchId: string,
  plan: ChannelPlan,
  holder: string,
  log: Logger,
): Promise<string | null> {
  const { categoryId } = settings;
  return withLease(ctx, `vc-${matchId}-${plan.faction}`, holder, async () => {
    // Cheap pre-check; the authoritative one comes after the row is written.
    const [ended, rows] = await Promise.all([ctx.store.isEnded(matchId), ctx.store.rows(matchId)]);
    if (ended) return null;
    const row = rows.find((r) => r.faction === plan.faction);
    let channel: GuildBasedChannel | null = row ? await getChannel(guild, row.voice_channel_id) : null;
    if (!channel) {
      channel = bridgeVoiceChannels(guild, categoryId).find((c) => c.name === plan.name) ?? null;
      if (channel) log.info({ channelId: channel.id, faction: plan.faction }, 'existing channel adopted');
    }
    if (!channel) {
      // The cache may lag (a channel a dead copy created just before the crash): ask Discord itself.
      channel = await findBridgeChannelListed(guild, categoryId, plan.name);
      if (channel) log.info({ channelId: channel.id, faction: plan.faction }, 'existing channel adopted');
    }
    if (!channel) {
      channel = await createVoiceChannel(
        guild,
        categoryId,
        plan.name,
        plan.overwrites,
        (fn) => withLease(ctx, `category-${categoryId}`, holder, fn),
        settings.userLimit,
      );
      log.info({ channelId: channel.id, faction: plan.faction, name: plan.name }, 'channel created');
    }
    await ctx.store.upsertRow({
      match_id: matchId,
      faction: plan.faction,
      guild_id: guild.id,
      voice_channel_id: channel.id,
    });
    if (await ctx.store.isEnded(matchId)) {
      // The caller cleans up with finishMatch, which first moves anyone inside to the lobby (deleting
      // here would disconnect players a concurrent job had just moved in).
      log.info({ channelId: channel.id }, 'match ended meanwhile: leaving the cleanup to finishMatch');
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
