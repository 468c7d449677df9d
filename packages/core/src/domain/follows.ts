/** What a guild can follow (/setup follow kind:). */
export const FOLLOW_KINDS = ['hub', 'championship', 'organizer', 'all', 'members'] as const;
export type FollowKind = (typeof FOLLOW_KINDS)[number];

/** One thing one guild follows; `targetId` is '' for the kinds that take no id (all, members). */
export interface Follow {
  guildId: string;
  kind: FollowKind;
  targetId: string;
}

/** What a match carries that follows are matched against (Data API or webhook fields). */
export interface MatchRouting {
  /** Data API `competition_type` / webhook `entity.type`: 'hub', 'championship', 'matchmaking', … */
  competitionType?: string | null | undefined;
  /** Data API `competition_id` / webhook `entity.id`. */
  competitionId?: string | null | undefined;
  organizerId?: string | null | undefined;
}

/** The routing fields of a Data API match (`GET /matches/{id}`). */
export function routingOf(match: {
  competition_type?: string | null | undefined;
  competition_id?: string | null | undefined;
  organizer_id?: string | null | undefined;
}): MatchRouting {
  return {
    competitionType: match.competition_type,
    competitionId: match.competition_id,
    organizerId: match.organizer_id,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function kindTakesId(kind: FollowKind): boolean {
  return kind === 'hub' || kind === 'championship' || kind === 'organizer';
}

/**
 * Checks /setup follow input (same rules as the guild_follows check constraint): hubs, championships
 * and organizers are FACEIT uuids (the organizer of FACEIT's own matchmaking is `faceit`); `all` and
 * `members` take no id. An id pasted from a FACEIT URL in upper case is accepted lower-cased.
 */
export function parseFollow(
  kind: string,
  id: string | null | undefined,
): { ok: true; kind: FollowKind; targetId: string } | { ok: false; error: string } {
  if (!(FOLLOW_KINDS as readonly string[]).includes(kind)) {
    return { ok: false, error: `unknown kind "${kind}": use one of ${FOLLOW_KINDS.join(', ')}` };
  }
  const k = kind as FollowKind;
  const raw = (id ?? '').trim();
  if (!kindTakesId(k)) {
    if (raw) return { ok: false, error: `kind ${k} takes no id: leave id empty` };
    return { ok: true, kind: k, targetId: '' };
  }
  if (!raw) return { ok: false, error: `kind ${k} needs an id: the FACEIT ${k} id (a uuid)` };
  const lower = raw.toLowerCase();
  if (k === 'organizer' && lower === 'faceit') return { ok: true, kind: k, targetId: lower };
  if (!UUID.test(lower)) {
    return {
      ok: false,
      error: `"${raw}" is not a FACEIT ${k} id: it looks like 1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f (from the ${k}'s FACEIT page URL)`,
    };
  }
  return { ok: true, kind: k, targetId: lower };
}

function same(a: string | null | undefined, b: string): boolean {
  return !!a && a.toLowerCase() === b;
}

/** Whether one follow takes this match; `hasMember` says the guild has a linked player of the match. */
export function followTakes(follow: Follow, match: MatchRouting, hasMember: boolean): boolean {
  const type = match.competitionType?.toLowerCase();
  switch (follow.kind) {
    case 'all':
      return true;
    case 'members':
      return hasMember;
    case 'organizer':
      return same(match.organizerId, follow.targetId);
    case 'hub':
    case 'championship':
      // Ids are unique across competitions; a known type must agree too (a hub follow never takes a
      // championship whose id someone pasted as a hub).
      return same(match.competitionId, follow.targetId) && (!type || type === follow.kind);
  }
}

/**
 * Which guilds get a match: every guild with at least one follow that takes it, each once, sorted (so
 * the fan-out's job ids come out the same on every worker). `guildsWithMembers` holds the guilds in
 * which at least one linked player of the match is a member; only `members` follows read it.
 */
export function guildsForMatch(
  match: MatchRouting,
  follows: readonly Follow[],
  guildsWithMembers: ReadonlySet<string>,
): string[] {
  const out = new Set<string>();
  for (const f of follows) {
    if (!out.has(f.guildId) && followTakes(f, match, guildsWithMembers.has(f.guildId))) out.add(f.guildId);
  }
  return [...out].sort();
}

/** Whether routing needs the guild membership of the match's linked players (any `members` follow). */
export function needsMembership(follows: readonly Follow[]): boolean {
  return follows.some((f) => f.kind === 'members');
}
