import { z } from 'zod';
import type { MatchEvent } from './webhook.ts';

/**
 * What the worker needs from an event's payload besides the match id, bounded so job data stays small: a
 * cancel's `reason` and AFK players, a finish's `started_at` (the epoch for a forfeit), a demo's URL. The
 * real captures (fixtures/faceit-samples/modelled__*): `reason: "MANUAL"`, `players: []`, `afk: []` on a
 * cancel; `started_at: "1970-01-01T00:00:00Z"` on a forfeit finish; `demo_url` on `match_demo_ready`.
 */
export const eventDetailsSchema = z.object({
  reason: z.string().max(100).optional(),
  /** AFK players: FACEIT ids and/or nicknames (no capture shows a non-empty list, so either is taken). */
  afk: z
    .array(z.object({ id: z.string().max(64).optional(), nickname: z.string().max(64).optional() }))
    .max(20)
    .optional(),
  startedAt: z.string().max(40).optional(),
  demoUrl: z.string().max(500).optional(),
});
export type EventDetails = z.infer<typeof eventDetailsSchema>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const text = (v: unknown, max: number) =>
  typeof v === 'string' && v.length > 0 ? v.slice(0, max) : undefined;

/** One AFK entry: a player id, a nickname, or an object with either (whichever FACEIT sends). */
function afkPlayer(v: unknown): { id?: string; nickname?: string } | undefined {
  if (typeof v === 'string')
    return UUID.test(v) ? { id: v } : text(v, 64) ? { nickname: v.slice(0, 64) } : undefined;
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const id = text(o.id ?? o.player_id ?? o.guid, 64);
  const nickname = text(o.nickname, 64);
  return id || nickname ? { ...(id ? { id } : {}), ...(nickname ? { nickname } : {}) } : undefined;
}

/**
 * The details of `event` read from its payload, or undefined when it has none. Never refuses: a field of
 * an unexpected shape is left out (the delivery is still accepted and acted on).
 */
export function eventDetailsOf(
  event: MatchEvent,
  payload: Record<string, unknown>,
): EventDetails | undefined {
  const out: EventDetails = {};
  if (event === 'match_status_cancelled' || event === 'match_status_aborted') {
    const reason = text(payload.reason, 100);
    if (reason) out.reason = reason;
    if (Array.isArray(payload.afk)) {
      out.afk = payload.afk.flatMap((p) => afkPlayer(p) ?? []).slice(0, 20);
    }
  }
  if (event === 'match_status_finished') {
    const startedAt = text(payload.started_at, 40);
    if (startedAt) out.startedAt = startedAt;
  }
  if (event === 'match_demo_ready') {
    const demoUrl = text(payload.demo_url, 500);
    if (demoUrl) out.demoUrl = demoUrl;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
