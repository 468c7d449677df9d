// In-memory FACEIT world: seeded players and matches, and the transitions that bump a match's version.
import { randomInt, randomUUID } from 'node:crypto';
import type {
  Faction,
  FactionKey,
  FinishMapOptions,
  Match,
  MatchStatus,
  Player,
  SeedMatchInput,
  SeedPlayerInput,
  SetStatusOptions,
} from './types.ts';
import { MATCH_STATUSES } from './types.ts';

const STEAM_BASE = 76561197960265728n;
const ENDED: ReadonlySet<MatchStatus> = new Set(['FINISHED', 'CANCELLED', 'ABORTED']);
const MAPS = ['de_inferno', 'de_mirage', 'de_nuke', 'de_ancient', 'de_anubis', 'de_dust2', 'de_train'];
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function avatarUrl(): string {
  return `https://distribution.faceit-cdn.net/images/${randomUUID()}.jpeg`;
}

function pick<T>(items: readonly T[]): T {
  return items[randomInt(items.length)] as T;
}

export class FaceitState {
  readonly players = new Map<string, Player>();
  readonly matches = new Map<string, Match>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  seedPlayer(input: SeedPlayerInput): Player {
    if (typeof input.nickname !== 'string' || input.nickname === '') throw new Error('nickname is required');
    const id = input.id ?? randomUUID();
    if (!UUID_RE.test(id)) throw new Error(`player id must be a uuid: ${id}`);
    const clash = this.playerByNickname(input.nickname);
    if (clash && clash.id !== id) throw new Error(`nickname ${input.nickname} is taken by ${clash.id}`);
    const previous = this.players.get(id);
    const steamId64 =
      input.steamId64 ?? previous?.steamId64 ?? (STEAM_BASE + BigInt(randomInt(1, 2 ** 31))).toString();
    const skillLevel = input.skillLevel ?? previous?.skillLevel ?? randomInt(1, 11);
    const player: Player = {
      id,
      nickname: input.nickname,
      avatar: input.avatar ?? previous?.avatar ?? avatarUrl(),
      country: input.country ?? previous?.country ?? 'gb',
      email:
        input.email ??
        previous?.email ??
        `${input.nickname.toLowerCase().replace(/[^a-z0-9]+/g, '')}@example.test`,
      steamId64,
      gameName: input.gameName ?? previous?.gameName ?? input.nickname,
      skillLevel,
      elo: input.elo ?? previous?.elo ?? 500 + skillLevel * 150,
      membership: input.membership ?? previous?.membership ?? '',
    };
    this.players.set(id, player);
    return player;
  }

  playerByNickname(nickname: string): Player | undefined {
    for (const p of this.players.values()) if (p.nickname === nickname) return p;
    return undefined;
  }

  /** Resolve a player id, or a nickname as a convenience; throws for unknown players. */
  resolvePlayer(ref: string): Player {
    const player = this.players.get(ref) ?? this.playerByNickname(ref);
    if (!player) throw new Error(`unknown player: ${ref}`);
    return player;
  }

  seedMatch(input: SeedMatchInput): Match {
    const id = input.id ?? `1-${randomUUID()}`;
    if (!/^1-[0-9a-f-]{36}$/i.test(id)) throw new Error(`match id must look like 1-<uuid>: ${id}`);
    if (!Array.isArray(input.faction1) || !Array.isArray(input.faction2)) {
      throw new Error('faction1 and faction2 must be arrays of player ids');
    }
    if (input.status !== undefined) assertStatus(input.status);
    if (input.bye !== undefined && input.bye !== 'faction1' && input.bye !== 'faction2') {
      throw new Error(`bye must be faction1 or faction2: ${String(input.bye)}`);
    }
    if (input.bye && input[input.bye].length > 0) throw new Error(`${input.bye} is a bye: it has no players`);
    if (input.bye && input.substitutes?.[input.bye]?.length) {
      throw new Error(`${input.bye} is a bye: it has no substitutes`);
    }
    const competitionType = input.competitionType ?? 'matchmaking';
    const championship = competitionType === 'championship';
    const now = this.now();
    const names = input.factionNames;
    const match: Match = {
      id,
      game: input.game ?? 'cs2',
      region: input.region ?? 'EU',
      competitionId: input.competitionId ?? randomUUID(),
      competitionType,
      competitionName:
        input.competitionName ??
        (championship
          ? 'Sandbox Cup - Regular Season'
          : competitionType === 'hub'
            ? 'Sandbox Hub'
            : '5v5 RANKED'),
      // Championships and hubs belong to an organizer (a uuid); FACEIT's own matchmaking to 'faceit'.
      organizerId: input.organizerId ?? (competitionType === 'matchmaking' ? 'faceit' : randomUUID()),
      status: 'VOTING',
      version: 1,
      factions: {
        faction1: this.newFaction(input.faction1, championship, names?.[0]),
        faction2: this.newFaction(input.faction2, championship, names?.[1]),
      },
      bestOf: input.bestOf ?? 1,
      calculateElo: !championship,
      createdAt: now,
      updatedAt: now,
      map: pick(MAPS),
      location: pick(['Germany', 'Netherlands', 'UK', 'Sweden', 'France']),
      maps: [],
      instances: 0,
    };
    if (championship) match.scheduledAt = input.scheduledAt ?? now;
    for (const key of ['faction1', 'faction2'] as const) {
      const team = match.factions[key];
      if (input.bye === key)
        Object.assign(team, { factionId: 'bye', name: 'bye', leader: 'bye', avatar: '', bye: true });
      team.substitutes = (input.substitutes?.[key] ?? []).map((s) => {
        const player = this.resolvePlayer(s.player);
        if (team.roster.includes(player.id)) throw new Error(`${s.player} is on the ${key} roster already`);
        return { id: player.id, playing: s.playing === true };
      });
    }
    this.matches.set(id, match);
    if (input.status !== undefined && input.status !== match.status) {
      this.applyStatus(match, input.status, {});
      match.version = 1;
    }
    return match;
  }

  /** The Data API answers 404 (`err_nf0`) for this match during the next `hiddenForMs` (0 = visible again). */
  hideMatch(matchId: string, hiddenForMs: number): Match {
    const match = this.getMatch(matchId);
    if (!Number.isFinite(hiddenForMs) || hiddenForMs < 0) throw new Error('hiddenForMs must be a number ≥ 0');
    if (hiddenForMs === 0) delete match.hiddenUntil;
    else match.hiddenUntil = this.now() + hiddenForMs;
    return match;
  }

  /** Whether the Data API shows this match right now. */
  isVisible(match: Match): boolean {
    return match.hiddenUntil === undefined || this.now() >= match.hiddenUntil;
  }

  getMatch(matchId: string): Match {
    const match = this.matches.get(matchId);
    if (!match) throw new Error(`unknown match: ${matchId}`);
    return match;
  }

  /** Replace a faction's roster (a substitution). The faction id never changes; the leader does if it left. */
  setRoster(matchId: string, faction: FactionKey, playerRefs: string[]): Match {
    const match = this.getMatch(matchId);
    if (faction !== 'faction1' && faction !== 'faction2') throw new Error(`bad faction: ${String(faction)}`);
    const team = match.factions[faction];
    const roster = playerRefs.map((ref) => this.resolvePlayer(ref).id);
    const added = roster.filter((id) => !team.roster.includes(id)).length;
    team.roster = roster;
    team.substitutions += added;
    if (!roster.includes(team.leader)) team.leader = roster[0] ?? '';
    this.touch(match);
    return match;
  }

  setStatus(matchId: string, status: MatchStatus, opts: SetStatusOptions = {}): Match {
    const match = this.getMatch(matchId);
    assertStatus(status);
    this.applyStatus(match, status, opts);
    return match;
  }

  /** A lineup player (`out`) goes to the bench and `into` (on the bench or not) takes the place. */
  swapPlayer(matchId: string, faction: FactionKey, out: string, into: string): Match {
    const match = this.getMatch(matchId);
    if (faction !== 'faction1' && faction !== 'faction2') throw new Error(`bad faction: ${String(faction)}`);
    const team = match.factions[faction];
    const outId = this.resolvePlayer(out).id;
    const inId = this.resolvePlayer(into).id;
    const at = team.roster.indexOf(outId);
    if (at < 0) throw new Error(`${out} is not in the ${faction} lineup`);
    if (team.roster.includes(inId)) throw new Error(`${into} is in the ${faction} lineup already`);
    team.roster[at] = inId;
    team.substitutes = [...team.substitutes.filter((s) => s.id !== inId), { id: outId, playing: false }];
    team.substitutions += 1;
    if (team.leader === outId) team.leader = team.roster[0] ?? '';
    this.touch(match);
    return match;
  }

  /**
   * The map being played ends: its result (`detailed_results`), its demo (`<match>-<map>-<instance>`), and
   * until the series ends `results` is that map's score (the captures: READY with map 1's 13–9).
   */
  finishMap(matchId: string, o: FinishMapOptions = {}): Match {
    const match = this.getMatch(matchId);
    if (ENDED.has(match.status))
      throw new Error(`match ${matchId} is ${match.status}: no map is being played`);
    const now = this.now();
    match.configuredAt ??= now;
    match.startedAt ??= now;
    const winner = o.winner ?? 'faction1';
    const loser: FactionKey = winner === 'faction1' ? 'faction2' : 'faction1';
    const score = { [winner]: o.score?.[winner] ?? 13, [loser]: o.score?.[loser] ?? 9 } as Record<
      FactionKey,
      number
    >;
    match.maps.push({ winner, score, instance: Math.max(1, match.instances) });
    match.instances = 0;
    match.detailed = match.maps.map((m) => ({ winner: m.winner, score: { ...m.score } }));
    match.results = { winner, score: { ...score } };
    this.touch(match);
    return match;
  }

  private applyStatus(match: Match, status: MatchStatus, opts: SetStatusOptions): void {
    const now = this.now();
    const first = status === 'FINISHED' && match.status !== 'FINISHED';
    if (ENDED.has(match.status) && !ENDED.has(status)) {
      // FACEIT replays an ended room (the captures: configuring 5 minutes after a forfeit): results, maps,
      // the forfeit and the cancel go; finished_at keeps the old end until the replay ends (captured).
      for (const key of ['results', 'detailed', 'forfeit', 'startedAt', 'cancel', 'reason'] as const) {
        delete match[key];
      }
      match.maps = [];
    }
    match.status = status;
    // configured_at moves with every configuring and ready (the captures: each re-configure sets it again).
    if (status === 'CONFIGURING' || status === 'READY') match.configuredAt = now;
    if (status === 'CONFIGURING') match.instances += 1;
    if (status === 'ONGOING') {
      match.configuredAt ??= now;
      match.startedAt ??= now;
    }
    if (status === 'FINISHED') this.finish(match, opts, now, first);
    if (status === 'CANCELLED') {
      match.reason = opts.reason ?? 'MANUAL';
      match.cancel = {
        players: (opts.players ?? []).map((p) => this.resolvePlayer(p).id),
        afk: (opts.afk ?? []).map((p) => this.resolvePlayer(p).id),
      };
    }
    if (status === 'ABORTED') match.reason = opts.reason ?? 'Players did not connect to the server';
    if (opts.reason !== undefined) match.reason = opts.reason;
    this.touch(match);
  }

  /**
   * FINISHED: a forfeit (no start; the maps needed to win as 1–0 placeholders, like the captured AFK and
   * forfeit finishes), a series (maps won, from the maps played), or one map played (default 13–10).
   */
  private finish(match: Match, opts: SetStatusOptions, now: number, first: boolean): void {
    match.finishedAt = now;
    const winner = opts.winner ?? 'faction1';
    const loser: FactionKey = winner === 'faction1' ? 'faction2' : 'faction1';
    const pair = (w: number, l: number) => ({ [winner]: w, [loser]: l }) as Record<FactionKey, number>;
    if (opts.forfeit) {
      match.forfeit = true;
      delete match.startedAt;
      match.maps = [];
      const needed = match.bestOf === 2 ? 2 : Math.floor(match.bestOf / 2) + 1;
      match.results = { winner, score: pair(needed, 0) };
      match.detailed = Array.from({ length: needed }, () => ({ winner, score: pair(1, 0) }));
      return;
    }
    match.configuredAt ??= now;
    match.startedAt ??= now;
    if (match.maps.length > 0) {
      const won = (f: FactionKey) => match.maps.filter((m) => m.winner === f).length;
      const score = { faction1: won('faction1'), faction2: won('faction2') };
      // A drawn BO2 still names a winner (the captures: 1–1, faction1).
      const series = opts.winner ?? (score.faction2 > score.faction1 ? 'faction2' : 'faction1');
      match.results = { winner: series, score };
      match.detailed = match.maps.map((m) => ({ winner: m.winner, score: { ...m.score } }));
    } else {
      match.results = { winner, score: pair(opts.score?.[winner] ?? 13, opts.score?.[loser] ?? 10) };
      match.detailed = [{ winner, score: { ...match.results.score } }];
    }
    if (first && match.calculateElo) this.applyElo(match, match.results.winner, opts.eloChange ?? 25);
  }

  /**
   * A finished match that counts for ELO moves its players' `faceit_elo` (winners up, losers down) and,
   * when that crosses a level boundary, their `skill_level` by as many levels (1..10).
   */
  private applyElo(match: Match, winner: FactionKey, change: number): void {
    for (const key of ['faction1', 'faction2'] as const) {
      const delta = key === winner ? change : -change;
      for (const id of match.factions[key].roster) {
        const p = this.players.get(id);
        if (!p) continue;
        const before = levelForElo(p.elo);
        p.elo = Math.max(100, p.elo + delta);
        p.skillLevel = Math.min(10, Math.max(1, p.skillLevel + levelForElo(p.elo) - before));
      }
    }
  }

  private touch(match: Match): void {
    match.version += 1;
    match.updatedAt = this.now();
  }

  private newFaction(refs: string[], championship: boolean, name: string | undefined): Faction {
    const roster = refs.map((ref) => this.resolvePlayer(ref).id);
    const leaderId = roster[0] ?? '';
    const leader = leaderId ? this.players.get(leaderId) : undefined;
    return {
      factionId: championship || !leaderId ? randomUUID() : leaderId,
      name:
        name ??
        (championship ? `Team ${leader?.nickname ?? randomInt(1000)}` : `team_${leader?.nickname ?? ''}`),
      leader: leaderId,
      avatar: leader?.avatar ?? avatarUrl(),
      roster,
      substitutions: 0,
      substitutes: [],
      bye: false,
    };
  }
}

/** FACEIT's CS2 level brackets by ELO (level 1 up to 500, level 10 from 2001). */
const LEVEL_FLOORS = [0, 501, 751, 901, 1051, 1201, 1351, 1531, 1751, 2001];
export function levelForElo(elo: number): number {
  return LEVEL_FLOORS.filter((floor) => elo >= floor).length;
}

export function assertStatus(status: string): asserts status is MatchStatus {
  if (!(MATCH_STATUSES as readonly string[]).includes(status)) throw new Error(`unknown status: ${status}`);
}
