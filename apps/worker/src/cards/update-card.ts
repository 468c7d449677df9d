import { randomUUID } from 'node:crypto';
import {
  type CardInput,
  cardAfterBuild,
  cardAtEnd,
  cardFromMatch,
  cardWithMap,
  type DataApiMatch,
  type EventDetails,
  eloChanges,
  type Faction,
  isFinalStage,
  type LinkPolicy,
  type Logger,
  type MatchCardRow,
  type MatchEvent,
  renderCard,
  voiceStatusOf,
} from '@bridge/core';
import type { Guild } from 'discord.js';
import type { WorkerDeps } from '../deps.ts';
import { guild as guildOf } from '../discord/guild.ts';
import { voiceChannelOf } from '../discord/voice.ts';
import { withLease } from '../lib/leases.ts';
import { cardChannel, editOrPost, findCard } from './card-message.ts';
import { putVoiceStatus } from './voice-status.ts';

/** What match cards use of the worker: the card rows, Discord, FACEIT (ELO), and the lease rows. */
export type CardDeps = Pick<WorkerDeps, 'cards' | 'client' | 'guildView' | 'faceit' | 'matches' | 'log'>;

/** What happened to the match since the card was last drawn. */
export type CardChange =
  /**
   * The match's channels converged (configuring / ready): draw it from FACEIT's match. `links`: FACEIT id →
   * Discord id of the players linked in this guild who are its members (nobody else is mentioned).
   */
  | {
      kind: 'built';
      match: DataApiMatch;
      links: ReadonlyMap<string, string>;
      channels: Partial<Record<Faction, string>>;
      policy: LinkPolicy;
      /** The match's cycle (how often FACEIT restarted it): a new cycle's card is live again. */
      cycle: number;
    }
  /** A late joiner was moved into their team channel. */
  | { kind: 'joined'; userId: string }
  /** finished / cancelled / aborted; `match`: FACEIT's match as the finish read it (else read here). */
  | {
      kind: 'ended';
      event: MatchEvent;
      match?: DataApiMatch | undefined;
      /** The cycle that ended: a card already drawn for a later one (a restart) is left alone. */
      cycle?: number | undefined;
      /** The end's payload: a cancel's reason and AFK players, a forfeit's epoch start. */
      details?: EventDetails | undefined;
    }
  /** A map of a series was played (`match_demo_ready`): its line, with FACEIT's score when it has it. */
  | { kind: 'map'; map: number; match?: DataApiMatch | undefined };

/**
 * ELO reads are optional: they go ahead only when they would wait at most this long for the FACEIT key's
 * rate limit (what is queued plus their own slots), so they never hold up the reads matches need.
 */
export const ELO_BUDGET_MS = 1500;

const STAGE_RANK: Record<CardInput['stage'], number> = {
  configuring: 0,
  ready: 1,
  live: 2,
  finished: 3,
  cancelled: 3,
  aborted: 3,
};

/**
 * Brings the (match, guild) card up to date; a no-op when the guild has no card channel. Never throws:
 * the card is secondary to the channels and moves, so a failure is logged and the job goes on.
 */
export async function updateCard(
  deps: CardDeps,
  matchId: string,
  guildId: string,
  change: CardChange,
  log: Logger,
): Promise<void> {
  try {
    const channelId = await deps.cards.channelOf(guildId);
    if (!channelId) return;
    const guild = await guildOf(deps, guildId);
    if (!guild) return;
    // One writer per card at a time: two racing jobs cannot both post, and edits do not interleave.
    await withLease(deps, `card-${matchId}-${guildId}`, `card-${randomUUID()}`, () =>
      apply(deps, guild, channelId, matchId, change, log),
    );
  } catch (err) {
    log.warn(
      { matchId, guildId, change: change.kind, err: (err as Error).message },
      'match card not updated',
    );
  }
}

async function apply(
  deps: CardDeps,
  guild: Guild,
  cardsChannelId: string,
  matchId: string,
  change: CardChange,
  log: Logger,
): Promise<void> {
  const { cards } = deps;
  // A build's card drawn after the match ended (its job was slower than the finish's, which found no card
  // yet) would stay live for good: the ended marker is read with the card.
  const [row, ended] = await Promise.all([
    cards.get(matchId, guild.id),
    change.kind === 'built' ? deps.matches.isEnded(matchId) : false,
  ]);
  if (ended) return;
  // A final card is never edited again within its cycle (FACEIT restarting the match starts a new one),
  // except to add a map's line: a series' last demo may come after its finish.
  if (row?.final && !restarts(row, change) && change.kind !== 'map') return;
  const next = await nextCard(deps, guild, row, change, log);
  if (!next) return;
  const { input, eloBefore } = next;
  // A card stays where it was first posted, even if /setup cards moved on since.
  const channelId = row?.channel_id ?? cardsChannelId;
  const channel = await cardChannel(guild, channelId);
  if (!channel)
    throw new Error(`card channel ${channelId} is gone or not a text channel: run /setup cards again`);
  let messageId = row?.message_id ?? null;
  if (!messageId && row) {
    // The row was written before an earlier post whose id never got stored: that post may exist.
    messageId = await findCard(deps.client, channel, matchId);
  }
  if (!row) await cards.save(matchId, guild.id, { channel_id: channelId });
  messageId = await editOrPost(channel, messageId, renderCard(input));
  const voiceStatus = await syncVoiceStatus(deps, input, row?.voice_status ?? '', log);
  await cards.save(matchId, guild.id, {
    channel_id: channelId,
    message_id: messageId,
    card: input,
    voice_status: voiceStatus,
    final: isFinalStage(input.stage),
    ...(eloBefore ? { elo_before: eloBefore } : {}),
  });
  log.info(
    { matchId, messageId, stage: input.stage },
    row?.message_id ? 'match card edited' : 'match card posted',
  );
}

async function nextCard(
  deps: CardDeps,
  guild: Guild,
  row: MatchCardRow | null,
  change: CardChange,
  log: Logger,
): Promise<{ input: CardInput; eloBefore?: Record<string, number> } | null> {
  if (change.kind === 'built') {
    // Linked players who are not in any voice channel now that their team's channel is ready.
    const notInVoice = [...change.links.values()].filter((id) => !voiceChannelOf(guild, id));
    const drawn = cardFromMatch(change.match, change.links, change.channels, notInVoice);
    const nicknames = drawn.teams.flatMap((t) =>
      t.players.filter((p) => !p.discordId).map((p) => p.nickname),
    );
    const input = cardAfterBuild(
      { ...drawn, unlinked: { nicknames, policy: change.policy }, cycle: change.cycle },
      row?.card,
      change.match,
    );
    if (isFinalStage(input.stage)) return null; // the end is the ended change's to draw
    // A configuring job that runs after the ready one (it has the lower priority) does not step back.
    const sameCycle = (row?.card?.cycle ?? 0) === change.cycle;
    if (row?.card && sameCycle && STAGE_RANK[input.stage] < STAGE_RANK[row.card.stage]) return null;
    if (row?.card && (row.card.cycle ?? 0) > change.cycle) return null; // a job of an earlier cycle
    // ELO before the match: read once, at ready (it does not move between configuring and ready).
    if (row?.elo_before || input.stage === 'configuring') return { input };
    const eloBefore = await readElo(deps, linkedPlayers(input), log).catch((err: Error) => {
      log.warn({ err: err.message }, 'match card: ELO at ready not read');
      return null;
    });
    return eloBefore ? { input, eloBefore } : { input };
  }
  if (!row?.card) return null; // no card yet: nothing to update
  if (change.kind === 'joined') {
    if (!row.card.notInVoice.includes(change.userId)) return null;
    return { input: { ...row.card, notInVoice: row.card.notInVoice.filter((id) => id !== change.userId) } };
  }
  if (change.kind === 'map') {
    const input = cardWithMap(row.card, change.map, change.match);
    return input ? { input } : null;
  }
  if (change.cycle !== undefined && (row.card.cycle ?? 0) > change.cycle) return null;
  const stage =
    change.event === 'match_status_aborted'
      ? 'aborted'
      : change.event === 'match_status_cancelled'
        ? 'cancelled'
        : 'finished';
  if (stage !== 'finished') return { input: cardAtEnd(row.card, { stage, details: change.details }) };
  const match =
    change.match ??
    (await deps.faceit.getMatch(row.card.matchId).catch((err: Error) => {
      log.warn(
        { matchId: row.card?.matchId, err: err.message },
        'match card: FACEIT match not read at the finish',
      );
      return null;
    }));
  const input = cardAtEnd(row.card, { stage, details: change.details, match });
  // A forfeit was not played: no ELO change to read.
  return { input: input.forfeit ? input : { ...input, elo: await eloAfter(deps, row, log) } };
}

/** A build of a later cycle than the card's: FACEIT restarted the match since the card was drawn. */
function restarts(row: MatchCardRow, change: CardChange): boolean {
  return change.kind === 'built' && change.cycle > (row.card?.cycle ?? 0);
}

/** FACEIT ids of the card's linked players: theirs is the ELO change shown. */
function linkedPlayers(input: CardInput): string[] {
  return input.teams.flatMap((t) => t.players.filter((p) => p.discordId).map((p) => p.faceitId));
}

/** faceit_elo of each player, or null when the rate budget does not allow the reads now. */
async function readElo(
  deps: CardDeps,
  faceitIds: string[],
  log: Logger,
): Promise<Record<string, number> | null> {
  if (faceitIds.length === 0) return {};
  const wait = await deps.faceit.backlogMs(faceitIds.length);
  if (wait > ELO_BUDGET_MS) {
    log.info(
      { players: faceitIds.length, waitMs: wait },
      'match card: ELO not read (FACEIT rate budget in use)',
    );
    return null;
  }
  const out: Record<string, number> = {};
  for (const id of faceitIds) {
    const elo = (await deps.faceit.getPlayer(id)).games?.cs2?.faceit_elo;
    if (typeof elo === 'number') out[id] = elo;
  }
  return out;
}

async function eloAfter(deps: CardDeps, row: MatchCardRow, log: Logger): Promise<CardInput['elo']> {
  if (!row.elo_before || !row.card) return { skipped: 'ELO was not read when the match was ready' };
  const ids = linkedPlayers(row.card).filter((id) => id in (row.elo_before ?? {}));
  if (ids.length === 0) return { changes: {} };
  const after = await readElo(deps, ids, log).catch((err: Error) => {
    log.warn({ err: err.message }, 'match card: ELO after the finish not read');
    return null;
  });
  if (!after) return { skipped: 'the FACEIT API budget was in use' };
  return { changes: eloChanges(row.elo_before, after) };
}

/** Sets the team channels' status when it changed (a refusal is logged, tried again next time). */
async function syncVoiceStatus(
  deps: CardDeps,
  input: CardInput,
  previous: string,
  log: Logger,
): Promise<string> {
  const status = voiceStatusOf(input);
  // The end clears nothing here: the channels are deleted (finishMatch clears a status before that).
  if (status === previous || isFinalStage(input.stage)) return previous;
  const channels = input.teams.flatMap((t) => (t.channelId ? [t.channelId] : []));
  try {
    for (const id of channels) await putVoiceStatus(deps.client, id, status);
    return status;
  } catch (err) {
    log.warn(
      { channels, status, err: (err as Error).message },
      'voice channel status not set: give the bot Set Voice Channel Status (and Manage Channels) on the match category',
    );
    return previous;
  }
}
