// Data API v4 JSON shapes, built to the keys and types of the real responses in fixtures/faceit-samples.
import type { FactionKey, Match, Player } from './types.ts';

const MAP_NAMES: Record<string, string> = {
  de_dust2: 'Dust2',
  de_mirage: 'Mirage',
  de_nuke: 'Nuke',
  de_overpass: 'Overpass',
  de_ancient: 'Ancient',
  de_inferno: 'Inferno',
  de_anubis: 'Anubis',
  de_train: 'Train',
};
const LOCATIONS = ['Netherlands', 'UK', 'Germany', 'Sweden', 'France'];
const PRE_VOTE = new Set(['SCHEDULED', 'CHECK_IN', 'VOTING', 'CAPTAIN_PICK']);

const epoch = (ms: number): number => Math.floor(ms / 1000);

/** `STEAM_0:Y:Z` and `[U:1:N]` forms of a SteamID64. */
export function steamIds(steamId64: string): { legacy: string; steam3: string } {
  const account = BigInt(steamId64) - 76561197960265728n;
  return { legacy: `STEAM_0:${account & 1n}:${account >> 1n}`, steam3: `[U:1:${account}]` };
}

export function dataRosterPlayer(p: Player) {
  return {
    player_id: p.id,
    nickname: p.nickname,
    avatar: p.avatar,
    membership: p.membership,
    game_player_id: p.steamId64,
    game_player_name: p.gameName,
    game_skill_level: p.skillLevel,
    anticheat_required: true,
  };
}

function faction(match: Match, key: FactionKey, players: Map<string, Player>) {
  const f = match.factions[key];
  const roster = f.roster.flatMap((id) => {
    const p = players.get(id);
    return p ? [p] : [];
  });
  // Like the real championship response: `substitutes` only on a team that has any, and `playing`
  // only on a substitute who plays.
  const substitutes = f.substitutes.flatMap((s) => {
    const p = players.get(s.id);
    if (!p) return [];
    return [s.playing ? { ...dataRosterPlayer(p), playing: true } : dataRosterPlayer(p)];
  });
  const out: Record<string, unknown> = {
    faction_id: f.factionId,
    leader: f.leader,
    avatar: f.avatar,
    roster: roster.map(dataRosterPlayer),
    ...(substitutes.length > 0 ? { substitutes } : {}),
    substituted: f.substitutions > 0,
    name: f.name,
    type: match.competitionType === 'championship' && !f.bye ? 'premade' : '',
  };
  if (match.competitionType === 'matchmaking' && roster.length > 0) {
    const levels = roster.map((p) => p.skillLevel);
    const avg = Math.round(levels.reduce((a, b) => a + b, 0) / levels.length);
    out.stats = {
      winProbability: 0.5,
      skillLevel: { average: avg, range: { min: Math.min(...levels), max: Math.max(...levels) } },
      rating: Math.round(roster.reduce((a, p) => a + p.elo, 0) / roster.length),
    };
  }
  return out;
}

/** The series' voted maps: the seeded map, then the others in the pool's order, `best_of` of them. */
export function picks(match: Match): string[] {
  const rest = Object.keys(MAP_NAMES).filter((m) => m !== match.map);
  return [match.map, ...rest].slice(0, Math.max(1, match.bestOf));
}

function voting(match: Match) {
  const mapEntity = (id: string) => ({
    class_name: id,
    game_map_id: id,
    guid: id,
    image_lg: `https://assets.faceit-cdn.net/sandbox/maps/${id}_lg.jpeg`,
    image_sm: `https://assets.faceit-cdn.net/sandbox/maps/${id}_sm.jpeg`,
    name: MAP_NAMES[id] ?? id,
  });
  const locationEntity = (name: string) => ({
    class_name: name,
    game_location_id: name,
    guid: name,
    image_lg: `https://distribution.faceit-cdn.net/images/flags/v1/${name.toLowerCase()}.jpg?width=428&height=212`,
    image_sm: `https://distribution.faceit-cdn.net/images/flags/v1/${name.toLowerCase()}.jpg?width=110&height=55`,
    name,
  });
  return {
    location: { entities: LOCATIONS.map(locationEntity), pick: [match.location] },
    // One pick per map of the series, the seeded map first (the captured BO2: two picks).
    map: { entities: Object.keys(MAP_NAMES).map(mapEntity), pick: picks(match) },
    voted_entity_types: ['location', 'map'],
  };
}

/** A map's demo: `<match id>-<map>-<server instance>` (the real captures; `.dem.gz` in 2025, `.dem.zst` now). */
export function demoUrl(match: Match, map: number, instance: number): string {
  return `https://demos-europe-central.backblaze.faceit-cdn.net/${match.game}/${match.id}-${map}-${instance}.dem.zst`;
}

/** The server instances of a finished match, each map's attempts with the demo on the one that played it. */
function instances(match: Match) {
  const maps = match.maps.length > 0 ? match.maps : match.forfeit ? [] : [{ instance: 1 }];
  const out = maps.flatMap((m, i) =>
    Array.from({ length: m.instance }, (_, k) => ({
      id: `${match.id}-${i + 1}-${k + 1}`,
      round: i + 1,
      demos: k + 1 === m.instance ? [demoUrl(match, i + 1, m.instance)] : [],
    })),
  );
  // A forfeit was never played: its one instance has no demo (the captures).
  return out.length > 0 ? out : [{ id: `${match.id}-1-1`, round: 1, demos: [] }];
}

/** `GET /data/v4/matches/{id}`. */
export function dataMatch(match: Match, players: Map<string, Player>) {
  const championship = match.competitionType === 'championship';
  const finished = match.status === 'FINISHED';
  // Demos of the maps played; a BO1 finished without a map recorded has its one demo; a forfeit none.
  const demos = match.maps.map((m, i) => demoUrl(match, i + 1, m.instance));
  if (finished && !match.forfeit && demos.length === 0) demos.push(demoUrl(match, 1, 1));
  const out: Record<string, unknown> = {
    match_id: match.id,
    version: match.version,
    game: match.game,
    region: match.region,
    competition_id: match.competitionId,
    competition_type: match.competitionType,
    competition_name: match.competitionName,
    organizer_id: match.organizerId,
    teams: {
      faction1: faction(match, 'faction1', players),
      faction2: faction(match, 'faction2', players),
    },
  };
  if (!PRE_VOTE.has(match.status)) out.voting = voting(match);
  out.calculate_elo = match.calculateElo;
  if (match.scheduledAt !== undefined) out.scheduled_at = epoch(match.scheduledAt);
  if (match.configuredAt !== undefined) out.configured_at = epoch(match.configuredAt);
  if (match.startedAt !== undefined) out.started_at = epoch(match.startedAt);
  if (match.finishedAt !== undefined) out.finished_at = epoch(match.finishedAt);
  // Absent until a map is played (the captures: no `demo_url` before, nor after a forfeit).
  if (demos.length > 0) out.demo_url = demos;
  out.chat_room_id = `match-${match.id}`;
  out.best_of = match.bestOf;
  if (match.results) {
    out.results = { winner: match.results.winner, score: { ...match.results.score } };
    out.detailed_results = (match.detailed ?? [match.results]).map((r) => ({
      asc_score: false,
      winner: r.winner,
      factions: { faction1: { score: r.score.faction1 }, faction2: { score: r.score.faction2 } },
    }));
  }
  out.status = match.status;
  if (championship) {
    out.round = 1;
    out.group = 1;
  }
  out.faceit_url = `https://www.faceit.com/{lang}/${match.game}/room/${match.id}`;
  if (finished) out.instances = instances(match);
  return out;
}

/** `GET /data/v4/players?nickname=` and `GET /data/v4/players/{id}`. */
export function dataPlayer(p: Player, friends: string[]) {
  const { legacy, steam3 } = steamIds(p.steamId64);
  return {
    player_id: p.id,
    nickname: p.nickname,
    avatar: p.avatar,
    country: p.country,
    cover_image: '',
    platforms: { steam: legacy },
    games: {
      cs2: {
        region: 'EU',
        game_player_id: p.steamId64,
        skill_level: p.skillLevel,
        faceit_elo: p.elo,
        game_player_name: p.gameName,
        skill_level_label: '',
        regions: {},
        game_profile_id: '',
      },
    },
    settings: { language: 'en' },
    friends_ids: friends,
    new_steam_id: steam3,
    steam_id_64: p.steamId64,
    steam_nickname: p.gameName,
    memberships: p.membership ? [p.membership] : ['free'],
    faceit_url: `https://www.faceit.com/{lang}/players/${p.nickname}`,
    membership_type: '',
    cover_featured_image: '',
    infractions: {},
    verified: false,
    activated_at: '2020-01-01T00:00:00.000Z',
  };
}
