import { channelNamePattern, shortId } from './channel-plan.ts';

/** A voice channel the bridge created (bot marker, in its categories): the adapter does that filtering. */
export interface BridgeChannel {
  id: string;
  name: string;
}

/**
 * The channels that belong to a match: those its rows know, plus any bridge channel with its
 * deterministic name (one created just before a crash has no row yet). Row channels come first.
 */
export function channelsOfMatch(input: {
  matchId: string;
  template: string;
  rowChannelIds: readonly string[];
  bridgeChannels: readonly BridgeChannel[];
}): string[] {
  const pattern = channelNamePattern(input.template, shortId(input.matchId));
  const ids = new Set(input.rowChannelIds);
  for (const ch of input.bridgeChannels) if (pattern.test(ch.name)) ids.add(ch.id);
  return [...ids];
}

/**
 * The sweep's orphan rule: a bridge channel named like a match channel that no row knows and that is
 * not named for a match still active (its row may be on its way). Anything else is never touched.
 */
export function orphanChannels(input: {
  template: string;
  knownChannelIds: ReadonlySet<string>;
  activeMatchIds: readonly string[];
  bridgeChannels: readonly BridgeChannel[];
}): BridgeChannel[] {
  const any = channelNamePattern(input.template);
  const active = input.activeMatchIds.map((id) => channelNamePattern(input.template, shortId(id)));
  return input.bridgeChannels.filter(
    (ch) => any.test(ch.name) && !input.knownChannelIds.has(ch.id) && !active.some((p) => p.test(ch.name)),
  );
}
