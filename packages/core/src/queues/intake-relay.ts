import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Queue } from 'bullmq';
import type { Logger } from '../logger.ts';
import { pause } from '../pause.ts';
import { duplicateRedis, type RedisClient } from '../redis/connection.ts';
import { type MatchQueueName, queueForEvent } from './catalog.ts';
import { jobNameForEvent, matchJobOptions, matchJobSchema } from './contracts.ts';
import { INTAKE_FIELD, intakeKey } from './intake.ts';

export const INTAKE_GROUP = 'relay';

type StreamEntry = [id: string, fields: string[] | null];

export interface IntakeRelayOptions {
  /** A worker connection (waits through reconnects); the relay duplicates it for its blocking reads. */
  connection: RedisClient;
  prefix: string;
  /** The queues the entries become jobs of: `matches` (set-up) and `cleanup` (queueForEvent). */
  queues: Record<MatchQueueName, Queue>;
  log: Logger;
  /** Entries read and added per round trip. */
  batchSize?: number;
  /**
   * An entry another relay read but has not finished for this long is taken over (that copy died).
   * Default 10 s: a batch takes milliseconds, and taking over from a relay that was only slow adds its
   * jobs twice, which is harmless (deterministic job ids); a dead relay delays its entries, never loses them.
   */
  claimIdleMs?: number;
  /** Called after each batch with how many entries became jobs and how many were unreadable. */
  onRelayed?: (relayed: number, invalid: number) => void;
}

/**
 * Moves webhook intake entries into the `matches` and `cleanup` queues, in batches. Every worker copy runs one; a
 * consumer group hands each entry to one of them. An entry is acknowledged and deleted only after its
 * job was added, so a relay that dies mid-batch leaves it pending, and a live relay claims it after
 * `claimIdleMs`. Adding twice is harmless: the job id is deterministic and BullMQ keeps the first.
 */
export class IntakeRelay {
  readonly consumer = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly key: string;
  /** The relay's own connection: group setup, blocking reads, claims and acks. */
  private readonly redis: RedisClient;
  private readonly batchSize: number;
  private readonly claimIdleMs: number;
  private stopping = false;
  private relaying = false;
  private groupReady = false;
  private loop: Promise<void> | undefined;
  private current: Promise<void> | undefined;
  /** Aborts on close: cuts a retry wait short, and a command stuck on a dead connection must not hold the loop. */
  private readonly stop = new AbortController();
  private readonly stopped = new Promise<void>((resolve) => {
    this.stop.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  private readonly opts: IntakeRelayOptions;

  constructor(opts: IntakeRelayOptions) {
    this.opts = opts;
    this.key = intakeKey(opts.connection, opts.prefix);
    // Commands fail instead of waiting for a reconnect: the loop retries rounds itself.
    this.redis = duplicateRedis(opts.connection, { maxRetriesPerRequest: 1 });
    this.redis.on('error', () => {}); // the loop logs failed rounds
    this.batchSize = opts.batchSize ?? 200;
    this.claimIdleMs = opts.claimIdleMs ?? 10_000;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Stops the relay. A batch being added finishes first (bounded by `graceMs`); a blocking read or a
   * retry wait is cut short. Entries read but not acknowledged stay pending for another relay.
   */
  async close(graceMs = 5000): Promise<void> {
    this.stopping = true;
    if (this.relaying) await Promise.race([this.current, pause(graceMs, this.stop.signal)]);
    this.stop.abort();
    this.redis.disconnect();
    await this.loop;
  }

  private async run(): Promise<void> {
    // After a failure our own pending entries are read again first (id 0), then new ones ('>').
    const state = { ownPending: false, nextClaim: 0, failures: 0 };
    while (!this.stopping) {
      this.current = this.round(state);
      await Promise.race([this.current, this.stopped]);
    }
  }

  private async round(state: { ownPending: boolean; nextClaim: number; failures: number }) {
    const { log } = this.opts;
    try {
      await this.ensureGroup();
      if (Date.now() >= state.nextClaim) {
        await this.claimStale();
        state.nextClaim = Date.now() + this.claimIdleMs / 2;
      }
      const entries = await this.read(state.ownPending ? '0' : '>');
      if (state.ownPending && entries.length === 0) state.ownPending = false;
      if (entries.length > 0) await this.relay(entries);
      if (state.failures > 0) log.info({ consumer: this.consumer }, 'intake relay running again');
      state.failures = 0;
    } catch (err) {
      if (this.stopping) return;
      state.failures++;
      state.ownPending = true;
      if (/NOGROUP/.test((err as Error).message)) this.groupReady = false;
      // One error line per outage, not one per retry.
      log[state.failures === 1 ? 'error' : 'debug'](
        { err: (err as Error).message, consumer: this.consumer, failures: state.failures },
        'intake relay failed, retrying',
      );
      await pause(Math.min(100 * 2 ** state.failures, 5000), this.stop.signal).catch(() => {});
    }
  }

  private async ensureGroup(): Promise<void> {
    if (this.groupReady) return;
    try {
      await this.redis.xgroup('CREATE', this.key, INTAKE_GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!/BUSYGROUP/.test((err as Error).message)) throw err;
    }
    this.groupReady = true;
  }

  private async read(from: '0' | '>'): Promise<StreamEntry[]> {
    // New entries: block (the answer comes as soon as one arrives), but wake in time for the next
    // claim round. Own pending entries: no block.
    const blockMs = Math.min(5000, Math.ceil(this.claimIdleMs / 2));
    const block = from === '>' ? ['BLOCK', String(blockMs)] : [];
    const res = (await this.redis.call(
      'XREADGROUP',
      'GROUP',
      INTAKE_GROUP,
      this.consumer,
      'COUNT',
      String(this.batchSize),
      ...block,
      'STREAMS',
      this.key,
      from,
    )) as [string, StreamEntry[]][] | null;
    return res?.[0]?.[1] ?? [];
  }

  /** Takes over entries a dead relay read and never acknowledged. */
  private async claimStale(): Promise<void> {
    let cursor = '0-0';
    do {
      const [next, entries] = (await this.redis.call(
        'XAUTOCLAIM',
        this.key,
        INTAKE_GROUP,
        this.consumer,
        String(this.claimIdleMs),
        cursor,
        'COUNT',
        String(this.batchSize),
      )) as [string, StreamEntry[], string[]];
      if (entries.length > 0) {
        this.opts.log.warn(
          { entries: entries.length, consumer: this.consumer },
          'intake: took over entries a stopped relay left',
        );
        await this.relay(entries);
      }
      cursor = next;
    } while (cursor !== '0-0' && !this.stopping);
  }

  private async relay(entries: StreamEntry[]): Promise<void> {
    this.relaying = true;
    try {
      const jobs: Record<MatchQueueName, Parameters<Queue['addBulk']>[0]> = { matches: [], cleanup: [] };
      let invalid = 0;
      for (const [id, fields] of entries) {
        if (!fields) continue; // deleted while pending: already done
        const raw = fields[fields.indexOf(INTAKE_FIELD) + 1];
        const parsed = parseEntry(raw);
        if (!parsed) {
          // Only a bug or a hand-written entry gets here; keep it in the log rather than retry forever.
          invalid++;
          this.opts.log.error(
            { entryId: id, entry: raw?.slice(0, 2000) },
            'intake entry unreadable, dropped',
          );
          continue;
        }
        jobs[queueForEvent(parsed.event)].push({
          name: jobNameForEvent(parsed.event),
          data: parsed,
          opts: matchJobOptions(parsed.matchId, parsed.event, parsed.payloadVersion),
        });
      }
      const queues = Object.entries(jobs) as [MatchQueueName, typeof jobs.matches][];
      await Promise.all(
        queues.map(([name, list]) => (list.length > 0 ? this.opts.queues[name].addBulk(list) : undefined)),
      );
      const ids = entries.map(([id]) => id);
      const done = await this.redis
        .multi()
        .xack(this.key, INTAKE_GROUP, ...ids)
        .xdel(this.key, ...ids)
        .exec();
      const failed = done?.find(([err]) => err)?.[0];
      if (failed) throw failed;
      this.opts.onRelayed?.(jobs.matches.length + jobs.cleanup.length, invalid);
    } finally {
      this.relaying = false;
    }
  }
}

function parseEntry(raw: string | undefined) {
  try {
    const parsed = matchJobSchema.safeParse(JSON.parse(raw ?? ''));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
