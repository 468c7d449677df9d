import type { DataApiMatch } from '../faceit/data-api.ts';
import { FACTIONS, type Faction, lineupOf } from './channel-plan.ts';
import type { LinkPolicy } from './guild-links.ts';
import type { CardMap } from './match-record.ts';

/** Where the match is, as the card shows it. */
export type CardStage = 'configuring' | 'ready' | 'live' | 'finished' | 'cancelled' | 'aborted';

export interface CardPlayer {
  faceitId: string;
  nickname: string;
  /** FACEIT level 1–10 (`game_skill_level`), when FACEIT gave one. */
  level?: number | undefined;
  /** Players linked in the card's server who are its members: shown as a mention (nobody else is). */
  discordId?: string | undefined;
}

export interface CardTeam {
  faction: Faction;
  name: string;
  players: CardPlayer[];
  /** The team's voice channel, once it exists. */
  channelId?: string | undefined;
}

/** ELO after a finish: the change per FACEIT id, or why it is not shown. */
export type CardElo = { changes: Record<string, number> } | { skipped: string };

/** Everything the card shows; stored with the card so a later event re-renders without asking FACEIT. */
export interface CardInput {
  matchId: string;
  stage: CardStage;
  competitionName?: string | undefined;
  faceitUrl?: string | undefined;
  /** The voted map (`voting.map.pick[0]`), e.g. `de_mirage`. */
  map?: string | undefined;
  teams: CardTeam[];
  /** Discord ids of linked players who were not in voice when their team channel was ready. */
  notInVoice: string[];
  /**
   * Players not linked in this server (FACEIT nicknames): not let into their team channel until they link;
   * `policy` says how they may (a verified-only server counts /link only).
   */
  unlinked?: { nicknames: string[]; policy: LinkPolicy } | undefined;
  result?: { winner: Faction; score: Partial<Record<Faction, number>> } | undefined;
  elo?: CardElo | undefined;
  /** Cancelled / aborted: why. */
  reason?: string | undefined;
  /** How often FACEIT had restarted the match when this was drawn: a restart's card is live again. */
  cycle?: number | undefined;
  /** Finished without being played (a forfeit or AFK): no score, no ELO change. */
  forfeit?: boolean | undefined;
  /** Cancelled: the players FACEIT names as AFK (shown by the card's rules: mentions only for members). */
  afk?: CardPlayer[] | undefined;
  /** A series' maps so far (one `match_demo_ready` each), with their scores when FACEIT has them. */
  maps?: CardMap[] | undefined;
}

/** A Discord message body: one embed and one row with the FACEIT room link button. */
export interface CardMessage {
  embeds: {
    title: string;
    description: string;
    color: number;
    fields: { name: string; value: string; inline?: boolean }[];
    footer: { text: string };
  }[];
  components: { type: 1; components: { type: 2; style: 5; label: string; url: string }[] }[];
}

const STAGE_OF: Record<string, CardStage> = {
  READY: 'ready',
  ONGOING: 'live',
  FINISHED: 'finished',
  CANCELLED: 'cancelled',
  ABORTED: 'aborted',
};
const COLOR: Record<CardStage, number> = {
  configuring: 0xf1c40f,
  ready: 0x2ecc71,
  live: 0xe67e22,
  finished: 0x3498db,
  cancelled: 0x95a5a6,
  aborted: 0xe74c3c,
};
const FINAL: ReadonlySet<CardStage> = new Set(['finished', 'cancelled', 'aborted']);

/** Finished, cancelled and aborted cards are never edited back to an earlier stage. */
export function isFinalStage(stage: CardStage): boolean {
  return FINAL.has(stage);
}

/** FACEIT's status → the card's stage (everything before READY is "configuring"). */
export function stageOf(status: string | null | undefined): CardStage {
  return STAGE_OF[(status ?? '').toUpperCase()] ?? 'configuring';
}

/** The card's text marker, found again in the channel when a crash lost the stored message id. */
export function cardMarker(matchId: string): string {
  return `match ${matchId}`;
}

type RosterEntry = { player_id: string; nickname?: string | null; game_skill_level?: unknown };

/**
 * The card's content from FACEIT's match: teams in play (roster + playing substitutes) with their
 * levels, map once voted, room link. `links`: FACEIT id → Discord id; `channels`: faction → voice channel.
 */
export function cardFromMatch(
  match: DataApiMatch,
  links: ReadonlyMap<string, string>,
  channels: Partial<Record<Faction, string>>,
  notInVoice: readonly string[],
): CardInput {
  const teams = FACTIONS.flatMap((faction): CardTeam[] => {
    const team = match.teams?.[faction];
    const { players } = lineupOf(match, faction);
    if (!team || players.length === 0) return [];
    const entries = [...(team.roster ?? []), ...(team.substitutes ?? [])] as RosterEntry[];
    return [
      {
        faction,
        name: team.name ?? faction,
        channelId: channels[faction],
        players: players.map((id) => {
          const p = entries.find((e) => e.player_id === id);
          const level = Number(p?.game_skill_level);
          return {
            faceitId: id,
            nickname: p?.nickname ?? id,
            level: Number.isInteger(level) && level >= 1 && level <= 10 ? level : undefined,
            discordId: links.get(id),
          };
        }),
      },
    ];
  });
  const raw = match as Record<string, unknown>;
  const voting = raw.voting as { map?: { pick?: unknown } } | undefined;
  const pick = Array.isArray(voting?.map?.pick) ? voting.map.pick[0] : undefined;
  const results = raw.results as { winner?: unknown; score?: Record<string, unknown> } | undefined;
  const winner =
    results?.winner === 'faction1' || results?.winner === 'faction2' ? results.winner : undefined;
  const url = typeof raw.faceit_url === 'string' ? raw.faceit_url.replace('{lang}', 'en') : undefined;
  return {
    matchId: match.match_id,
    stage: stageOf(match.status),
    competitionName: typeof raw.competition_name === 'string' ? raw.competition_name : undefined,
    faceitUrl: url && /^https:\/\//.test(url) && url.length <= 512 ? url : undefined,
    map: typeof pick === 'string' ? pick : undefined,
    teams,
    notInVoice: [...notInVoice],
    result: winner
      ? {
          winner,
          score: Object.fromEntries(
            FACTIONS.flatMap((f) => {
              const s = Number(results?.score?.[f]);
              return Number.isFinite(s) ? [[f, s]] : [];
            }),
          ),
        }
      : undefined,
  };
}

/** ELO change per FACEIT id: after − before, for the players read both times. */
export function eloChanges(
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after).flatMap(([id, elo]) => (id in before ? [[id, elo - (before[id] ?? 0)]] : [])),
  );
}

const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);
const signed = (n: number) => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '±0');

const escapeName = (nickname: string) => nickname.replace(/([*_`~|>\\])/g, '\\$1');

function playerLine(p: CardPlayer, input: CardInput): string {
  const level = p.level ? `\`L${p.level}\` ` : '';
  const who = p.discordId ? `<@${p.discordId}>` : escapeName(p.nickname);
  const changes = input.elo && 'changes' in input.elo ? input.elo.changes : undefined;
  const elo =
    p.discordId && changes && p.faceitId in changes ? ` (${signed(changes[p.faceitId] ?? 0)} ELO)` : '';
  return `${level}${who}${elo}`;
}

function headline(input: CardInput): string {
  const map = input.map ? ` · ${input.map}` : '';
  switch (input.stage) {
    case 'configuring':
      return `🟡 Configuring${map}`;
    case 'ready':
      return `🟢 Ready${map}`;
    case 'live':
      return `🔴 Live${map}`;
    case 'finished': {
      const r = input.result;
      const name = (f: Faction) => input.teams.find((t) => t.faction === f)?.name ?? f;
      if (input.forfeit) {
        return r ? `🏳️ Forfeit (not played): **${name(r.winner)}** gets the win` : '🏳️ Forfeit (not played)';
      }
      // A series names its maps below, not the first one here.
      const at = input.maps && input.maps.length > 0 ? '' : map;
      if (!r) return `🏁 Finished${at}`;
      const loser: Faction = r.winner === 'faction1' ? 'faction2' : 'faction1';
      const [won, lost] = [r.score[r.winner], r.score[loser]];
      if (won !== undefined && won === lost) {
        return `🏁 Finished${at}: **${name('faction1')}** ${won}–${lost} **${name('faction2')}**`;
      }
      return `🏁 Finished${at}: **${name(r.winner)}** wins ${won ?? '?'}–${lost ?? '?'}`;
    }
    case 'cancelled':
      return `⚪ Cancelled${input.reason ? `: ${input.reason}` : ''}`;
    case 'aborted':
      return `❌ Aborted${input.reason ? `: ${input.reason}` : ''}`;
  }
}

/** A map's line: `Map 1 · de_nuke · Team A 13–9` (the winner first), or without a score until FACEIT has one. */
function mapLine(m: CardMap, input: CardInput): string {
  const name = (f: Faction) => escapeName(input.teams.find((t) => t.faction === f)?.name ?? f);
  const head = `Map ${m.n}${m.map ? ` · ${m.map}` : ''}`;
  const winner =
    m.winner ?? (m.score && (m.score.faction2 ?? 0) > (m.score.faction1 ?? 0) ? 'faction2' : 'faction1');
  const loser: Faction = winner === 'faction1' ? 'faction2' : 'faction1';
  if (!m.score) return `${head} · played`;
  return `${head} · ${name(winner)} ${m.score[winner] ?? '?'}–${m.score[loser] ?? '?'}`;
}

/**
 * The card message: pure, so the same input always renders the same message (edits are idempotent).
 * Every part is clipped so the whole stays inside Discord's embed limits (at most 5 fields: ≤ 5,978
 * characters of the 6,000; the maps' field is the short one).
 */
export function renderCard(input: CardInput): CardMessage {
  const fields: CardMessage['embeds'][number]['fields'] = input.teams.map((t) => ({
    name: clip(t.name, 256),
    value: clip(
      // A final card names no channel: the match's channels are deleted at its end.
      [
        ...t.players.map((p) => playerLine(p, input)),
        ...(t.channelId && !isFinalStage(input.stage) ? [`🔊 <#${t.channelId}>`] : []),
      ].join('\n') || '—',
      1024,
    ),
    inline: true,
  }));
  if (input.notInVoice.length > 0 && !isFinalStage(input.stage)) {
    fields.push({
      name: 'Not in voice yet',
      value: clip(input.notInVoice.map((id) => `<@${id}>`).join(' '), 1024),
      inline: false,
    });
  }
  const unlinked = input.unlinked;
  if (unlinked && unlinked.nicknames.length > 0 && !isFinalStage(input.stage)) {
    const how =
      unlinked.policy === 'verified-only'
        ? 'must /link (sign in with FACEIT) to join their team channel: this server does not count nickname links'
        : 'must /link (or /register) to join their team channel';
    fields.push({
      name: 'Not linked in this server',
      value: clip(`${unlinked.nicknames.map(escapeName).join(', ')}: ${how}`, 1024),
      inline: false,
    });
  }
  if (input.afk && input.afk.length > 0) {
    fields.push({
      name: 'AFK',
      // Who, by the card's rules (a mention only for a member linked here), without levels.
      value: clip(
        input.afk.map((p) => (p.discordId ? `<@${p.discordId}>` : escapeName(p.nickname))).join(', '),
        1024,
      ),
      inline: false,
    });
  }
  if (input.maps && input.maps.length > 0) {
    fields.push({
      name: 'Maps',
      value: clip(input.maps.map((m) => mapLine(m, input)).join('\n'), 300),
      inline: false,
    });
  }
  const notes: string[] = [];
  if (input.stage === 'finished' && !input.forfeit && input.elo && 'skipped' in input.elo) {
    notes.push(`ELO change not shown: ${input.elo.skipped}`);
  }
  notes.push(cardMarker(input.matchId));
  return {
    embeds: [
      {
        title: clip(input.competitionName ?? 'FACEIT match', 256),
        description: clip(headline(input), 512),
        color: COLOR[input.stage],
        fields,
        footer: { text: clip(notes.join(' · '), 256) },
      },
    ],
    components: input.faceitUrl
      ? [{ type: 1, components: [{ type: 2, style: 5, label: 'FACEIT room', url: input.faceitUrl }] }]
      : [],
  };
}

/** Plain text of a card (the demo prints it): title, headline, each field, footer. */
export function cardText(message: CardMessage): string[] {
  return message.embeds.flatMap((e) => [
    e.title,
    e.description,
    ...e.fields.map((f) => `${f.name}: ${f.value.replace(/\n/g, ', ')}`),
    e.footer.text,
  ]);
}

/**
 * The team channels' voice status: `de_mirage · live` once the map is known, '' (none) before that and
 * once the match is over (≤ 500 characters: Discord's limit).
 */
export function voiceStatusOf(input: Pick<CardInput, 'map' | 'stage'>): string {
  if (!input.map || isFinalStage(input.stage)) return '';
  return clip(`${input.map} · ${input.stage === 'configuring' ? 'configuring' : 'live'}`, 500);
}
