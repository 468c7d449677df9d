import { REPORTED_DAILY_CREATES } from '@bridge/sandbox/discord/index';
import { failedJobs, type Stack, startStack, waitFor } from '@bridge/testbed';
import { linkPlayers } from './seed.ts';

/**
 * Discord's limits as the emulator models them (packages/sandbox/docs/discord.md): every route has a bucket of
 * 10 requests per 10 s per major parameter (so all moves in a guild share one, and all channel creates
 * in a guild another), and 50 requests per second in all; 500 channel creations per guild per day (the
 * stricter of the two reported figures). FACEIT's Data API: 10 requests per second per key. The benchmark
 * passes the Discord ones to the stack itself, so the figure is what a hub would see under exactly these,
 * whatever the emulator's defaults become.
 */
export const REALISTIC_LIMITS = {
  discordBucket: { limit: 10, windowSeconds: 10 },
  discordGlobalPerSecond: 50,
  channelCreatesPerDay: REPORTED_DAILY_CREATES.perBot,
  faceitPerSecond: 10,
} as const;

export interface RoundLimits {
  discordBucket: { limit: number; windowSeconds: number };
  discordGlobalPerSecond: number;
  channelCreatesPerDay: number;
  faceitPerSecond: number;
}

export interface RoundResult {
  matches: number;
  playersPerMatch: number;
  /** linked players who were in voice when their match became ready: each must end up in its team channel */
  playersToMove: number;
  /** first ready webhook sent → every linked in-voice player in their team channel */
  seconds: number;
  boundSeconds: number;
  boundFormula: string;
  ratio: number;
  rateLimitsMet: number;
  failedJobs: number;
  duplicateChannels: number;
  channelsCreated: number;
  discordRequests: number;
  faceitMatchFetches: number;
  limits: RoundLimits;
  /** a match of the previous round finishing while this round's channels are created: webhook → channels gone */
  finishDuringCreatesSeconds: number;
}

/**
 * The earliest the n-th request through one fixed-window bucket (limit per window, the window opening
 * with the first request) can be sent: ⌊(n−1)/limit⌋ windows after the first.
 */
export function bucketSeconds(n: number, limit: number, windowSeconds: number): number {
  return n <= 0 ? 0 : Math.floor((n - 1) / limit) * windowSeconds;
}

/** The bound the limits imply for a round (see the formula string), from the work it needs. */
export function roundBound(
  work: { moves: number; creates: number; faceitFetches: number; discordRequests: number },
  limits: RoundLimits,
  readySpreadSeconds: number,
): { seconds: number; formula: string } {
  const { limit, windowSeconds } = limits.discordBucket;
  const terms = {
    moves: bucketSeconds(work.moves, limit, windowSeconds),
    creates: bucketSeconds(work.creates, limit, windowSeconds),
    faceit: work.faceitFetches / limits.faceitPerSecond,
    global: work.discordRequests / limits.discordGlobalPerSecond,
    spread: readySpreadSeconds,
  };
  const seconds = Math.max(...Object.values(terms));
  const formula =
    `max(⌊(moves−1)/${limit}⌋·${windowSeconds} s = ⌊(${work.moves}−1)/${limit}⌋·${windowSeconds} = ${terms.moves}, ` +
    `⌊(creates−1)/${limit}⌋·${windowSeconds} s = ${terms.creates}, ` +
    `FACEIT fetches/${limits.faceitPerSecond} = ${work.faceitFetches}/${limits.faceitPerSecond} = ${terms.faceit.toFixed(1)}, ` +
    `Discord requests/${limits.discordGlobalPerSecond} = ${terms.global.toFixed(1)}, ` +
    `last ready at ${terms.spread.toFixed(1)}) = ${seconds.toFixed(1)} s`;
  return { seconds, formula };
}

interface Seeded {
  matchId: string;
  tag: string;
  /** discord id → faction */
  waiting: Map<string, 'faction1' | 'faction2'>;
}

/**
 * One match: 10 players, 5 a side; every other one (so 3 + 2) linked, and waiting in the lobby unless
 * `inVoice` is false.
 */
async function seedMatch(stack: Stack, label: string, players: number, inVoice = true): Promise<Seeded> {
  const { discord, faceit, guildId, guild } = stack;
  const people = Array.from({ length: players }, (_, i) => {
    const nickname = `${label}p${i}`;
    const player = faceit.seedPlayer({ nickname });
    if (i % 2 !== 0) return { player, discordId: null };
    const discordId = discord.addMember(guildId, { username: nickname });
    if (inVoice) discord.setVoice(guildId, discordId, guild.channels.Lobby!);
    return { player, discordId };
  });
  const linked = people.filter(
    (p): p is (typeof people)[number] & { discordId: string } => p.discordId !== null,
  );
  await linkPlayers(stack, linked);
  const half = players / 2;
  const match = faceit.seedMatch({
    faction1: people.slice(0, half).map((p) => p.player.id),
    faction2: people.slice(half).map((p) => p.player.id),
    status: 'READY',
  });
  const waiting = new Map<string, 'faction1' | 'faction2'>();
  people.forEach((p, i) => {
    if (p.discordId && inVoice) waiting.set(p.discordId, i < half ? 'faction1' : 'faction2');
  });
  return { matchId: match.id, tag: match.id.slice(2, 10), waiting };
}

const bridgeVoice = (stack: Stack) =>
  stack.discord.state(stack.guildId).channels.filter((c) => c.createdBy === 'bot' && c.type === 'voice');

/** Every waiting player of the match is in a bot channel named for the match. */
function allIn(stack: Stack, m: Seeded): boolean {
  const s = stack.discord.state(stack.guildId);
  const ours = new Set(
    s.channels
      .filter((c) => c.createdBy === 'bot' && c.type === 'voice' && c.name.includes(m.tag))
      .map((c) => c.id),
  );
  for (const id of m.waiting.keys()) if (!ours.has(s.voiceStates[id] ?? '')) return false;
  return true;
}

/**
 * A tournament round under Discord's and FACEIT's real limits: `matches` matches become ready within
 * `spreadSeconds`, 10 players each, half of them linked and waiting in voice. Measures the time until
 * every one of them is in their team channel and compares it with the bound the limits imply.
 * Then: a match of that round finishes while the next round's matches are being created; how long until its
 * channels are gone.
 */
export async function benchRound(
  opts = { matches: 50, playersPerMatch: 10, spreadSeconds: 3 },
): Promise<RoundResult> {
  const limits: RoundLimits = REALISTIC_LIMITS;
  const { discordBucket, discordGlobalPerSecond, channelCreatesPerDay } = REALISTIC_LIMITS;
  const stack = await startStack({
    workers: 1,
    workerEnv: { LOG_LEVEL: 'info' },
    apiEnv: { LOG_LEVEL: 'warn' },
    discord: {
      rateLimits: {
        perRoute: { limit: discordBucket.limit, windowMs: discordBucket.windowSeconds * 1000 },
        global: discordGlobalPerSecond,
      },
      limits: { channelCreatesPerDay },
    },
  });
  try {
    const { discord, faceit } = stack;
    const seeded: Seeded[] = [];
    for (let m = 0; m < opts.matches; m++) seeded.push(await seedMatch(stack, `r${m}`, opts.playersPerMatch));
    discord.resetStats();
    const t0 = performance.now();
    // Evenly spread over `spreadSeconds`.
    const sends: Promise<unknown>[] = [];
    for (const [i, m] of seeded.entries()) {
      const at = (i * opts.spreadSeconds * 1000) / opts.matches;
      const wait = t0 + at - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      sends.push(faceit.deliver(stack.webhook, faceit.buildWebhook(m.matchId, 'match_status_ready')));
    }
    const lastReadyAt = (performance.now() - t0) / 1000;
    for (const res of (await Promise.all(sends)) as { status: number }[]) {
      if (res.status !== 202) throw new Error(`webhook answered ${res.status}`);
    }
    const pending = new Set(seeded);
    await waitFor(
      () => {
        for (const m of pending) if (allIn(stack, m)) pending.delete(m);
        return pending.size === 0;
      },
      { what: 'every waiting player in their team channel', timeoutMs: 1_800_000, intervalMs: 100 },
    );
    const seconds = (performance.now() - t0) / 1000;
    const stats = discord.stats();
    const route = (prefix: string) =>
      Object.entries(stats.byRoute)
        .filter(([r]) => r.startsWith(prefix))
        .reduce((n, [, c]) => n + c, 0);
    const rateLimited = stats.rateLimited;
    const playersToMove = seeded.reduce((n, m) => n + m.waiting.size, 0);
    const channels = bridgeVoice(stack);
    const names = channels.map((c) => c.name);
    const createdAll = discord.state(stack.guildId).channels.filter((c) => c.createdBy === 'bot').length;
    const fetches = faceit.stats().byRoute['data.match'] ?? 0;
    // The work the round needs, whatever the bridge did: one move per waiting player, one create per
    // channel (and overflow category) that exists now; the requests Discord served (not the 429s).
    const bound = roundBound(
      {
        moves: playersToMove,
        creates: createdAll,
        faceitFetches: opts.matches,
        discordRequests: stats.requests - rateLimited,
      },
      limits,
      lastReadyAt,
    );

    const finishDuringCreatesSeconds = await finishDuringCreates(stack, seeded[0]!, opts);

    // Both match queues: set-up and clean-up.
    const failed = await failedJobs(stack);
    return {
      matches: opts.matches,
      playersPerMatch: opts.playersPerMatch,
      playersToMove,
      seconds: Number(seconds.toFixed(1)),
      boundSeconds: Number(bound.seconds.toFixed(1)),
      boundFormula: bound.formula,
      ratio: Number((seconds / bound.seconds).toFixed(2)),
      rateLimitsMet: rateLimited,
      failedJobs: failed,
      duplicateChannels: names.length - new Set(names).size,
      channelsCreated:
        route('POST /guilds/:guild/channels') -
        (stats.rateLimitedByRoute['POST /guilds/:guild/channels'] ?? 0),
      discordRequests: stats.requests,
      faceitMatchFetches: fetches,
      limits,
      finishDuringCreatesSeconds,
    };
  } finally {
    await stack.stop();
  }
}

/**
 * The next round starts (`matches` new matches become ready, their channels being created under the
 * same 10-per-10-s bucket) and, a moment later, `done` (a match of the finished round) ends: webhook →
 * its players back in the lobby and both its channels deleted. The new matches' players are not in voice
 * yet, so what `done`'s clean-up competes with is the creates (its moves to the lobby share the guild's
 * member bucket with any other move: a round's moves would delay it by their own count).
 */
async function finishDuringCreates(
  stack: Stack,
  done: Seeded,
  opts: { matches: number; playersPerMatch: number },
): Promise<number> {
  const { faceit } = stack;
  const next: Seeded[] = [];
  for (let m = 0; m < opts.matches; m++) {
    next.push(await seedMatch(stack, `n${m}`, opts.playersPerMatch, false));
  }
  await Promise.all(
    next.map((m) => faceit.deliver(stack.webhook, faceit.buildWebhook(m.matchId, 'match_status_ready'))),
  );
  // Creates are under way once the first of the new channels exists.
  await waitFor(() => bridgeVoice(stack).some((c) => next.some((m) => c.name.includes(m.tag))), {
    what: 'next round creating',
    timeoutMs: 600_000,
    intervalMs: 50,
  });
  faceit.setStatus(done.matchId, 'FINISHED');
  const t0 = performance.now();
  const res = await faceit.deliver(stack.webhook, faceit.buildWebhook(done.matchId, 'match_status_finished'));
  if (res.status !== 202) throw new Error(`webhook answered ${res.status}`);
  await waitFor(() => !bridgeVoice(stack).some((c) => c.name.includes(done.tag)), {
    what: 'finished match cleaned up',
    timeoutMs: 1_800_000,
    intervalMs: 50,
  });
  return Number(((performance.now() - t0) / 1000).toFixed(1));
}
