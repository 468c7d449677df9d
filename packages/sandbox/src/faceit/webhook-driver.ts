// Delivers webhook envelopes to a receiver: single deliveries, redeliveries, and scripted sequences.
import { randomUUID } from 'node:crypto';
import type { FaceitState } from './state.ts';
import { CHAMPIONSHIP_TIMELINE } from './timeline.ts';
import type {
  BuildWebhookOptions,
  DeliveryResult,
  PlayOptions,
  TimelineDelivery,
  TimelineStep,
  WebhookEnvelope,
  WebhookEvent,
  WebhookTarget,
} from './types.ts';
import { assertEvent, buildWebhook, EVENT_STATUS } from './webhook.ts';

export const DEFAULT_SECRET_HEADER = 'x-faceit-webhook-secret';
const LOG_LIMIT = 1000;

const ok = (status: number): boolean => status >= 200 && status < 300;

export class WebhookDriver {
  /** Every delivery attempt, oldest first (capped). */
  readonly log: DeliveryResult[] = [];
  delivered = 0;
  private readonly state: FaceitState;
  private readonly appId: string;
  private readonly now: () => number;
  private readonly closing = new AbortController();
  private readonly advance: (ms: number) => void;
  /** Per match: the next timeline step, and the envelopes delivered so far by step name. */
  private readonly timelines = new Map<string, { next: number; sent: Map<string, WebhookEnvelope> }>();

  constructor(
    state: FaceitState,
    appId: string,
    now: () => number = Date.now,
    advance: (ms: number) => void = () => {},
  ) {
    this.state = state;
    this.appId = appId;
    this.now = now;
    this.advance = advance;
  }

  build(matchId: string, event: WebhookEvent, o?: BuildWebhookOptions): WebhookEnvelope {
    return buildWebhook(this.state, this.appId, matchId, event, o, this.now());
  }

  async deliver(target: WebhookTarget, envelope: WebhookEnvelope): Promise<DeliveryResult> {
    if (!target || typeof target.url !== 'string') throw new Error('target.url is required');
    if (typeof target.secret !== 'string') throw new Error('target.secret is required');
    const base = {
      event: envelope.event,
      eventId: envelope.event_id,
      transactionId: envelope.transaction_id,
      retryCount: envelope.retry_count,
      envelope,
    };
    // The secret goes in one place: the query parameter when `query` is set, otherwise the header.
    const url = new URL(target.url);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'FACEIT-Webhooks-Sandbox/1.0',
    };
    if (target.query) url.searchParams.set(target.query, target.secret);
    else headers[target.header ?? DEFAULT_SECRET_HEADER] = target.secret;
    let result: DeliveryResult;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(envelope),
        signal: AbortSignal.any([AbortSignal.timeout(target.timeoutMs ?? 10_000), this.closing.signal]),
      });
      result = { status: res.status, body: await res.text(), ...base };
    } catch (err) {
      const cause =
        err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
      const detail = cause ? `: ${cause.code ?? cause.message}` : '';
      result = {
        status: 0,
        body: '',
        error: `${err instanceof Error ? err.message : String(err)}${detail}`,
        ...base,
      };
    }
    this.delivered += 1;
    this.log.push(result);
    if (this.log.length > LOG_LIMIT) this.log.shift();
    return result;
  }

  /** The same envelope again (same event_id and transaction_id) with retry_count + 1. */
  redeliver(target: WebhookTarget, envelope: WebhookEnvelope): Promise<DeliveryResult> {
    return this.deliver(target, { ...envelope, retry_count: envelope.retry_count + 1 });
  }

  /** The most recent envelope sent with this event_id, for redelivery by id. */
  lastEnvelope(eventId: string): WebhookEnvelope | undefined {
    for (let i = this.log.length - 1; i >= 0; i--) {
      const entry = this.log[i];
      if (entry?.eventId === eventId) return entry.envelope;
    }
    return undefined;
  }

  /**
   * Builds one envelope per event, in the order given (moving the match to each event's status first unless
   * `applyStatus: false`, so versions grow along the list), then delivers them in `order`, each `duplicates`
   * times, one after another or all at once. Returns every attempt (including retries) in start order.
   */
  async play(
    target: WebhookTarget,
    matchId: string,
    events: string[],
    o: PlayOptions = {},
  ): Promise<DeliveryResult[]> {
    const envelopes = events.map((event) => {
      assertEvent(event);
      const status = EVENT_STATUS[event];
      const match = this.state.getMatch(matchId);
      if (o.applyStatus !== false && status !== undefined && match.status !== status) {
        this.state.setStatus(matchId, status);
      }
      return this.build(matchId, event, o.buildOptions);
    });
    const order = o.order ?? envelopes.map((_, i) => i);
    const sorted = [...order].sort((a, b) => a - b);
    if (order.length !== envelopes.length || sorted.some((v, i) => v !== i)) {
      throw new Error(`order must be a permutation of 0..${envelopes.length - 1}`);
    }
    const copies = Math.max(1, o.duplicates ?? 1);
    const sends: WebhookEnvelope[] = [];
    for (const index of order) {
      const envelope = envelopes[index] as WebhookEnvelope;
      for (let n = 0; n < copies; n++) {
        sends.push(
          n > 0 && o.duplicateStyle === 'new-ids'
            ? { ...envelope, event_id: randomUUID(), transaction_id: randomUUID() }
            : envelope,
        );
      }
    }
    const send = async (envelope: WebhookEnvelope): Promise<DeliveryResult[]> => {
      const attempts = [await this.deliver(target, envelope)];
      for (let r = 0; r < (o.retries ?? 0); r++) {
        const last = attempts[attempts.length - 1] as DeliveryResult;
        if (ok(last.status)) break;
        attempts.push(await this.redeliver(target, last.envelope));
      }
      return attempts;
    };
    if (o.concurrent) return (await Promise.all(sends.map(send))).flat();
    const results: DeliveryResult[] = [];
    for (const envelope of sends) results.push(...(await send(envelope)));
    return results;
  }

  /**
   * Plays `steps` for the match from where it last stopped, up to and including `until` (default: the end).
   * Each step: the emulator clock moves by its gap; the map being played ends if the step says so; the
   * roster changes; the status changes; then its event is delivered (a `copyOf` step delivers an earlier
   * step's envelope again, byte for byte).
   */
  async playTimeline(
    target: WebhookTarget,
    matchId: string,
    o: { until?: string; steps?: readonly TimelineStep[] } = {},
  ): Promise<TimelineDelivery[]> {
    const steps = o.steps ?? CHAMPIONSHIP_TIMELINE;
    if (o.until !== undefined && !steps.some((s) => s.name === o.until)) {
      throw new Error(`no timeline step named ${o.until}`);
    }
    const run = this.timelines.get(matchId) ?? { next: 0, sent: new Map<string, WebhookEnvelope>() };
    this.timelines.set(matchId, run);
    const out: TimelineDelivery[] = [];
    while (run.next < steps.length) {
      const step = steps[run.next] as TimelineStep;
      run.next += 1;
      this.advance(step.gapMs);
      let envelope: WebhookEnvelope;
      if (step.copyOf !== undefined) {
        const earlier = run.sent.get(step.copyOf);
        if (!earlier)
          throw new Error(`timeline step ${step.name} copies ${step.copyOf}, which was not played`);
        envelope = earlier;
      } else {
        if (step.finishMap) this.state.finishMap(matchId, step.finishMap);
        step.change?.({
          swap: (faction, out, into) => {
            const team = this.state.getMatch(matchId).factions[faction];
            const outId = team.roster[out];
            const inId = team.substitutes[into]?.id;
            if (!outId || !inId) {
              throw new Error(`timeline step ${step.name}: ${faction} has no lineup ${out} or bench ${into}`);
            }
            this.state.swapPlayer(matchId, faction, outId, inId);
          },
          newInstance: () => {
            this.state.getMatch(matchId).instances += 1;
          },
        });
        if (step.status !== null) this.state.setStatus(matchId, step.status, step.statusOptions);
        envelope = this.build(matchId, step.event);
      }
      run.sent.set(step.name, envelope);
      out.push({ step: step.name, result: await this.deliver(target, envelope) });
      if (step.name === o.until) break;
    }
    return out;
  }

  close(): void {
    this.closing.abort(new Error('emulator closed'));
  }
}
