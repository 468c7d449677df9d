import { DEFAULT_LINK_POLICY, type Faction, memberLinkState } from '@bridge/core';
import type { MatchContext } from './match-context.ts';

/**
 * The team channels in this guild of the active matches a member plays in, as this guild counts links (its
 * policy, its server links): one round trip (SQL match_channels_for_member), then linksInGuild decides.
 */
export async function memberTeamChannels(
  ctx: MatchContext,
  discordId: string,
  guildId: string,
): Promise<{ match_id: string; faction: Faction; voice_channel_id: string }[]> {
  const { links, policy, channels } = await ctx.store.channelsForMember(discordId, guildId);
  const state = memberLinkState({ guildId, policy: policy ?? DEFAULT_LINK_POLICY, ...links }, discordId);
  if (state.kind !== 'linked') return [];
  return channels.filter((c) => c.faceit_id === state.link.faceitId);
}
