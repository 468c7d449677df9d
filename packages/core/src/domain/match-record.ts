import type { Faction } from './channel-plan.ts';

/** What a finish carries as `started_at` when the match was never played: a forfeit or AFK (the captures). */
export const FORFEIT_STARTED_AT = '1970-01-01T00:00:00Z';

/**
 * Whether a finish was a forfeit (never played). FACEIT marks it with the epoch as the finish's
 * `started_at`, and its Data API then has no `started_at`. The Data API wins when it says the match started:
 * the captured replay of a forfeited room ended with a copy of the forfeit's finish (epoch and all) while
 * the Data API showed the replay's start and its 1–1 result.
 */
export function isForfeit(input: {
  /** The finish's `payload.started_at`. */
  payloadStartedAt?: string | undefined;
  /** The Data API's `started_at` (epoch seconds) now; undefined when FACEIT could not be read. */
  faceitStartedAt?: number | null | undefined;
}): boolean {
  const at = input.payloadStartedAt === undefined ? Number.NaN : Date.parse(input.payloadStartedAt);
  if (at !== 0) return false;
  const started = Number(input.faceitStartedAt);
  return !(Number.isFinite(started) && started > 0);
}

/**
 * The map a `match_demo_ready` is about: its `demo_url` ends `<match id>-<map>-<instance>.dem.<gz|zst>` (the
 * captures: `-1-2.dem.gz`, `-2-10.dem.gz`, `-1-5.dem.zst`, `-2-2.dem.zst`; the second number is the server
 * instance that played the map). null when the URL is not a demo of this match.
 */
export function demoMapOf(
  demoUrl: string | undefined,
  matchId: string,
): { map: number; instance: number } | null {
  if (!demoUrl) return null;
  let path: string;
  try {
    path = new URL(demoUrl).pathname;
  } catch {
    return null;
  }
  const file = path.slice(path.lastIndexOf('/') + 1);
  if (!file.startsWith(`${matchId}-`)) return null;
  const m = /^(\d{1,2})-(\d{1,4})\.dem(?:\.[a-z0-9]+)?$/i.exec(file.slice(matchId.length + 1));
  if (!m) return null;
  const map = Number(m[1]);
  const instance = Number(m[2]);
  return map >= 1 && instance >= 1 ? { map, instance } : null;
}

/** One map of a series on the card: its number, name once voted, and score when FACEIT has it. */
export interface CardMap {
  n: number;
  map?: string | undefined;
  score?: Partial<Record<Faction, number>> | undefined;
  winner?: Faction | undefined;
}

type DetailedResult = { winner?: unknown; factions?: Record<string, { score?: unknown } | undefined> };

/**
 * Map `n`'s line from FACEIT's match: the n-th voted map (`voting.map.pick`) and the n-th of
 * `detailed_results` when FACEIT has it (between maps the captures show the maps played so far).
 */
export function mapLineOf(match: Record<string, unknown>, n: number): CardMap {
  const voting = match.voting as { map?: { pick?: unknown } } | undefined;
  const pick = Array.isArray(voting?.map?.pick) ? voting.map.pick[n - 1] : undefined;
  const detailed = Array.isArray(match.detailed_results)
    ? (match.detailed_results[n - 1] as DetailedResult | undefined)
    : undefined;
  const score: Partial<Record<Faction, number>> = {};
  for (const f of ['faction1', 'faction2'] as const) {
    const s = Number(detailed?.factions?.[f]?.score);
    if (Number.isFinite(s)) score[f] = s;
  }
  const winner =
    detailed?.winner === 'faction1' || detailed?.winner === 'faction2' ? detailed.winner : undefined;
  return {
    n,
    map: typeof pick === 'string' ? pick : undefined,
    ...(Object.keys(score).length === 2 ? { score } : {}),
    ...(winner ? { winner } : {}),
  };
}

/** Every map FACEIT has a result for, in order (a finished series' lines). */
export function mapLinesOf(match: Record<string, unknown>): CardMap[] {
  const played = Array.isArray(match.detailed_results) ? match.detailed_results.length : 0;
  return Array.from({ length: played }, (_, i) => mapLineOf(match, i + 1));
}

/**
 * The card's maps with `line` in its place (sorted by map number). A line FACEIT knows less about than the
 * card already shows (no score yet) does not take a score away.
 */
export function withMapLine(maps: readonly CardMap[], line: CardMap): CardMap[] {
  const old = maps.find((m) => m.n === line.n);
  const merged: CardMap = {
    n: line.n,
    map: line.map ?? old?.map,
    ...((line.score ?? old?.score) ? { score: line.score ?? old?.score } : {}),
    ...((line.winner ?? old?.winner) ? { winner: line.winner ?? old?.winner } : {}),
  };
  return [...maps.filter((m) => m.n !== line.n), merged].sort((a, b) => a.n - b.n);
}

/** A cancel's or abort's reason as moderators read it: FACEIT's code, said plainly when it is known. */
export function endReasonText(reason: string | undefined, stage: 'cancelled' | 'aborted'): string {
  if (!reason) return `${stage} on FACEIT`;
  if (reason.toUpperCase() === 'MANUAL') return 'by an admin (MANUAL)';
  return reason;
}
