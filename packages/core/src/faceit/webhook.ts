import { z } from 'zod';

/** Match events the bridge acts on, and which job each one becomes. */
export const CREATED_EVENTS = [
  'match_object_created',
  'match_status_configuring',
  'match_status_ready',
] as const;
export const FINISHED_EVENTS = [
  'match_status_finished',
  'match_status_cancelled',
  'match_status_aborted',
] as const;
/** Records of a match in progress: one `match_demo_ready` per map played (its line on the card). */
export const RECORD_EVENTS = ['match_demo_ready'] as const;
export const MATCH_EVENTS = [...CREATED_EVENTS, ...FINISHED_EVENTS, ...RECORD_EVENTS] as const;
export type MatchEvent = (typeof MATCH_EVENTS)[number];

export function isMatchEvent(event: string): event is MatchEvent {
  return (MATCH_EVENTS as readonly string[]).includes(event);
}

/** FACEIT match ids look like `1-<uuid>`; the id ends up in job ids, which may not contain ':'. */
export const matchIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/, 'must be a FACEIT match id like 1-<uuid>');

/**
 * The match payload of `match_*` events (real samples in fixtures/faceit-samples): only what the bridge
 * reads from it. `teams[]` is kept as it came, not checked: the worker reads rosters from the Data API,
 * so a change in that array must not make us refuse, and FACEIT retry, an event we can act on.
 */
export const matchPayloadSchema = z.looseObject({
  id: matchIdSchema,
  version: z.number().int().optional(),
});

/**
 * The metric label of an event name: the match events by name, anything else as `other`, so names a
 * sender makes up cannot create one time series each.
 */
export function eventLabel(event: string): MatchEvent | 'other' {
  return isMatchEvent(event) ? event : 'other';
}

// Envelope strings go into Redis (intake stream, jobs kept for days) and logs. FACEIT's are uuids
// (36 characters), event names of ~25 and RFC 3339 seconds; the bounds leave room for a format change
// and none for a megabyte.
const bounded = (max: number) => z.string().min(1).max(max, `must be at most ${max} characters`);

/**
 * FACEIT's delivery envelope (fixtures/faceit-samples; packages/sandbox/docs/faceit.md, Webhooks). Loose: fields FACEIT adds later are
 * kept, not rejected, so a schema change on their side never turns into retries on ours.
 */
export const webhookEnvelopeSchema = z.looseObject({
  transaction_id: bounded(128),
  event: bounded(64),
  event_id: bounded(128),
  third_party_id: bounded(128).nullish(),
  app_id: bounded(128).nullish(),
  timestamp: bounded(64),
  retry_count: z.number().int().min(0).max(1_000_000),
  version: z.number().int(),
  // Checked as an object, not copied: the match schema below reads what it needs from it.
  payload: z.custom<Record<string, unknown>>(
    (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
    'expected an object',
  ),
});

export type WebhookEnvelope = z.infer<typeof webhookEnvelopeSchema>;
export type MatchPayload = z.infer<typeof matchPayloadSchema>;

export type ParsedWebhook =
  | { kind: 'match'; envelope: WebhookEnvelope; event: MatchEvent; payload: MatchPayload }
  | { kind: 'ignored'; envelope: WebhookEnvelope }
  | { kind: 'invalid'; issues: { path: string; message: string }[] };

function issuesOf(error: z.ZodError, prefix = ''): { path: string; message: string }[] {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: i.message,
  }));
}

/** Classifies a parsed JSON body: a match event to act on, an event to ignore, or an invalid envelope. */
export function parseWebhook(body: unknown): ParsedWebhook {
  const envelope = webhookEnvelopeSchema.safeParse(body);
  if (!envelope.success) return { kind: 'invalid', issues: issuesOf(envelope.error) };
  const { event } = envelope.data;
  if (!isMatchEvent(event)) return { kind: 'ignored', envelope: envelope.data };
  const payload = matchPayloadSchema.safeParse(envelope.data.payload);
  if (!payload.success) return { kind: 'invalid', issues: issuesOf(payload.error, 'payload') };
  return { kind: 'match', envelope: envelope.data, event, payload: payload.data };
}
