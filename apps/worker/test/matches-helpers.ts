import { randomUUID } from 'node:crypto';
import { cardMarker, type MatchEvent, shortId } from '@bridge/core';
import {
  deliveredJobId,
  runCommand,
  type Stack,
  type StackOptions,
  settledJob,
  waitFor,
  withQueue,
} from '@bridge/testbed';
import { PermissionFlagsBits as F } from 'discord.js';
import { expect } from 'vitest';

// The match end-to-end tests import everything they use from here: the stack fixture, the queue helpers
// and the match helpers below.
export { matchJobId, shortId } from '@bridge/core';
export {
  deliveredGuildJobId,
  deliveredJobId,
  failedJobs,
  runCommand,
  settledJob,
  waitFor,
  withQueue,
} from '@bridge/testbed';
export { stackTest } from '@bridge/testbed/fixtures';

/** FACEIT players with Discord members (of `guildId`) and player_links rows (linked directly in the DB). */
export async function seedLinkedPlayers(stack: Stack, tag: string, n: number, guildId = stack.guildId) {
  const players: { faceitId: string; discordId: string; nickname: string }[] = [];
  for (let i = 0; i < n; i++) {
    const nickname = `${tag}_${i}`;
    const p = stack.faceit.seedPlayer({ nickname });
    const discordId = stack.discord.addMember(guildId, { username: nickname });
    await stack.supabase.query(
      `insert into player_links (discord_id, faceit_id, faceit_nickname, verified_method) values ($1,$2,$3,'oauth')`,
      [discordId, p.id, nickname],
    );
    players.push({ faceitId: p.id, discordId, nickname });
  }
  return players;
}

export function matchChannels(stack: Stack, matchId: string) {
  const prefix = `match-${shortId(matchId)}-`;
  return stack.discord.state(stack.guildId).channels.filter((c) => c.name.startsWith(prefix));
}

export async function matchRows(stack: Stack, matchId: string) {
  return stack.supabase.query<{ faction: string; voice_channel_id: string }>(
    'select faction, voice_channel_id from active_matches where match_id = $1 order by faction',
    [matchId],
  );
}

/** Waits until the match has exactly one channel per faction, each known by its row. */
export async function waitForChannels(stack: Stack, matchId: string, timeoutMs = 60_000) {
  const short = shortId(matchId);
  await stack.discord.waitForState(
    stack.guildId,
    (s) => {
      const names = s.channels.filter((c) => c.name.startsWith(`match-${short}-`)).map((c) => c.name);
      return names.length === 2 && new Set(names).size === 2 ? true : undefined;
    },
    timeoutMs,
  );
}

export async function waitForNoChannels(stack: Stack, matchId: string, timeoutMs = 60_000) {
  const short = shortId(matchId);
  await stack.discord.waitForState(
    stack.guildId,
    (s) => (s.channels.some((c) => c.name.startsWith(`match-${short}-`)) ? undefined : true),
    timeoutMs,
  );
}

/** Runs one sweep now, as the scheduler would, and answers its result once it has completed. */
export async function sweepNow(stack: Stack, jobId = `sweep-${randomUUID()}`): Promise<unknown> {
  await withQueue(stack, 'maintenance', (q) => q.add('sweep', { reason: 'test' }, { jobId }));
  const job = await settledJob(stack, 'maintenance', jobId, 60_000);
  expect(job.state).toBe('completed');
  return job.result;
}

/**
 * Whether any worker copy wrote a log line `pred` accepts, waiting for it: a line written before a
 * job completed can still be in the pipe from the worker's stdout when the test reads the job.
 */
export async function workerLogged(
  stack: Stack,
  pred: (l: Record<string, unknown>) => boolean,
  timeoutMs = 20_000,
): Promise<boolean> {
  return waitFor(() => stack.workers.some((w) => w.lines.some(pred)), {
    timeoutMs,
    what: 'the worker log line',
  }).catch(() => false);
}

/** The match's lifecycle row. */
export async function matchState(stack: Stack, matchId: string) {
  const [row] = await stack.supabase.query<{
    status: string;
    ended_reason: string | null;
    reopens: number;
    missing_sweeps: number;
    missing_since: Date | null;
  }>(
    'select status, ended_reason, reopens, missing_sweeps, missing_since from match_states where match_id = $1',
    [matchId],
  );
  return row;
}

/** What the cards need of the bot: the default permissions plus Set Voice Channel Status (Embed Links: @everyone). */
export const CARDS_BOT_PERMISSIONS = String(
  F.ViewChannel |
    F.Connect |
    F.MoveMembers |
    F.ManageChannels |
    F.ManageRoles |
    F.SendMessages |
    F.SetVoiceChannelStatus,
);

/** A stack whose guild can show cards: a `match-cards` text channel, an owner to turn them on, two worker copies. */
export function cardsStack(channels: NonNullable<StackOptions['guild']>['channels'] = []): StackOptions {
  return {
    workers: 2,
    guild: {
      botPermissions: CARDS_BOT_PERMISSIONS,
      members: [{ username: 'owner' }],
      channels: [{ name: 'match-cards', type: 'text' }, ...channels],
    },
  };
}

/** `/setup cards` as the guild's owner (default: cards in `match-cards`); answers the reply. */
export async function setupCards(
  stack: Stack,
  options: Record<string, string | boolean> = { channel: stack.guild.channels['match-cards'] ?? '' },
): Promise<string> {
  const owner = (stack.guild.members as Record<string, string>).owner ?? '';
  return (await runCommand(stack, { user: owner, name: 'setup', subcommand: 'cards', options })).content;
}

/** Turns cards on in `match-cards`. */
export async function cardsOn(stack: Stack): Promise<void> {
  expect(await setupCards(stack)).toMatch(/Match cards go to/);
}

/** A card's embed as the emulator stores it. */
export type CardEmbed = {
  title: string;
  description: string;
  fields: { name: string; value: string }[];
  footer: { text: string };
  color?: number;
};

/** The match's cards in `match-cards`. */
export const cardsOf = (stack: Stack, matchId: string) =>
  stack.discord
    .channelMessages(stack.guild.channels['match-cards'] ?? '')
    .filter((m) => (m.embeds as CardEmbed[]).some((e) => e.footer?.text?.includes(cardMarker(matchId))));

/** Waits until the match has exactly one card and `check` holds for its embed; answers that card. */
export async function waitForCard(
  stack: Stack,
  matchId: string,
  what: string,
  check: (e: CardEmbed) => boolean,
) {
  return waitFor(
    () => {
      const cards = cardsOf(stack, matchId);
      const embed = cards[0]?.embeds[0] as CardEmbed | undefined;
      return cards.length === 1 && embed && check(embed) ? { card: cards[0], embed } : undefined;
    },
    { what: `the card: ${what}`, timeoutMs: 90_000 },
  );
}

/** The result of the job the bridge made of the last delivered `event` of the match, once it has completed. */
export async function jobResult(
  stack: Stack,
  queue: 'matches' | 'cleanup',
  matchId: string,
  event: MatchEvent,
): Promise<Record<string, unknown>> {
  const job = await settledJob(stack, queue, deliveredJobId(stack.faceit, matchId, event), 90_000);
  expect(job.state).toBe('completed');
  return job.result as Record<string, unknown>;
}
