import type { DataApiMatch } from '../faceit/data-api.ts';
import type { EventDetails } from '../faceit/match-event.ts';
import type { CardInput, CardPlayer } from './match-card.ts';
import { cardFromMatch } from './match-card.ts';
import { endReasonText, isForfeit, mapLineOf, mapLinesOf, withMapLine } from './match-record.ts';

const raw = (match: DataApiMatch) => match as Record<string, unknown>;

/** The map being played: the first voted map without a line yet (the voted one before any). */
function currentMap(match: DataApiMatch | null | undefined, card: CardInput): string | undefined {
  const voting = match ? (raw(match).voting as { map?: { pick?: unknown } } | undefined) : undefined;
  const picks = Array.isArray(voting?.map?.pick) ? voting.map.pick.filter((p) => typeof p === 'string') : [];
  const played = card.maps?.length ?? 0;
  return picks[Math.min(played, Math.max(0, picks.length - 1))] ?? card.map;
}

/** A cancel's AFK players as the card shows people: a player of the card keeps their mention (or not). */
function afkOf(card: CardInput, afk: EventDetails['afk']): CardPlayer[] {
  return (afk ?? []).map((a) => {
    const known = card.teams
      .flatMap((t) => t.players)
      .find((p) => (a.id && p.faceitId === a.id) || (a.nickname && p.nickname === a.nickname));
    return known ?? { faceitId: a.id ?? '', nickname: a.nickname ?? a.id ?? '?' };
  });
}

/**
 * The card at the match's end, from the card as it was, the end's payload details and FACEIT's match then
 * (null when it could not be read). ELO is the caller's to add, except for a forfeit: nothing was played,
 * so no score and no ELO change. A cancel or abort shows its reason and the AFK players.
 */
export function cardAtEnd(
  card: CardInput,
  end: {
    stage: 'finished' | 'cancelled' | 'aborted';
    details?: EventDetails | undefined;
    match?: DataApiMatch | null | undefined;
  },
): CardInput {
  const base: CardInput = { ...card, stage: end.stage, notInVoice: [], unlinked: undefined };
  if (end.stage !== 'finished') {
    const afk = afkOf(card, end.details?.afk);
    return {
      ...base,
      reason: endReasonText(end.details?.reason, end.stage),
      ...(afk.length > 0 ? { afk } : {}),
    };
  }
  const match = end.match ?? null;
  const fresh = match ? cardFromMatch(match, new Map(), {}, []) : null;
  const forfeit = isForfeit({
    payloadStartedAt: end.details?.startedAt,
    faceitStartedAt: match ? (match.started_at ?? null) : undefined,
  });
  if (forfeit) {
    // The winner FACEIT awarded, without its placeholder score; no maps were played.
    const winner = fresh?.result?.winner;
    return { ...base, forfeit: true, result: winner ? { winner, score: {} } : undefined, maps: undefined };
  }
  const series = match ? Number(raw(match).best_of) > 1 || (card.maps?.length ?? 0) > 0 : false;
  let maps = card.maps;
  if (match && series) for (const line of mapLinesOf(raw(match))) maps = withMapLine(maps ?? [], line);
  return {
    ...base,
    map: fresh?.map ?? card.map,
    result: fresh?.result,
    ...(maps && maps.length > 0 ? { maps } : {}),
  };
}

/**
 * The card with map `n`'s line (a `match_demo_ready`), the score when FACEIT's match has it; null when the
 * card shows that line already (a redelivery, or a demo after the finish drew every map): no edit.
 */
export function cardWithMap(
  card: CardInput,
  n: number,
  match: DataApiMatch | null | undefined,
): CardInput | null {
  const line = match ? mapLineOf(raw(match), n) : { n };
  const maps = withMapLine(card.maps ?? [], line);
  if (JSON.stringify(maps) === JSON.stringify(card.maps ?? [])) return null;
  const next: CardInput = { ...card, maps };
  // The voice status names the map being played: the next one once this one has its line.
  return card.stage === 'finished' ? next : { ...next, map: currentMap(match, next) };
}

/** A build's card keeps the maps its cycle has seen, and names the map being played. */
export function cardAfterBuild(
  drawn: CardInput,
  previous: CardInput | null | undefined,
  match: DataApiMatch,
): CardInput {
  const maps = previous && (previous.cycle ?? 0) === (drawn.cycle ?? 0) ? previous.maps : undefined;
  if (!maps || maps.length === 0) return drawn;
  const withMaps = { ...drawn, maps };
  return { ...withMaps, map: currentMap(match, withMaps) };
}
