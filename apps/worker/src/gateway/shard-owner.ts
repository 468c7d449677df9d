import { randomUUID } from 'node:crypto';
import {
  IdentifySlots,
  type Logger,
  type Metrics,
  planShards,
  type RedisClient,
  SessionStore,
  ShardLeases,
} from '@bridge/core';
import type { GatewayDispatchPayload, REST } from 'discord.js';
import { HeldShard } from './held-shard.ts';
import { redisIdentifyThrottler } from './identify-throttler.ts';

export interface ShardOwnerOptions {
  redis: RedisClient;
  /** the deployment's Redis key prefix (QUEUE_PREFIX) */
  prefix: string;
  token: string;
  intents: number;
  rest: REST;
  shardCount: number;
  /** a dead copy's shards are taken over this long after its last renewal */
  leaseMs: number;
  /** fewer IDENTIFYs left today than this: wait for the reset rather than identify */
  identifyFloor: number;
  log: Logger;
  metrics?: Pick<
    Metrics,
    'gatewayShardsHeld' | 'gatewayShardHeld' | 'gatewayShardCount' | 'gatewaySessions' | 'identifyBudget'
  >;
  onDispatch: (shardId: number, data: GatewayDispatchPayload) => void;
  /** this copy's id in the copy list (default: random) */
  copyId?: string;
}

/** How long letting a shard go waits for its connection to close. */
const HANDOVER_WAIT_MS = 3000;

/**
 * This worker copy's part of the gateway. Every tick it renews its heartbeat and its shards' leases, then
 * moves toward its even share: takes free shards (RESUMEing their sessions from Redis where it can), hands
 * over its surplus. Stopping hands every shard over at once and leaves the copy list, so the others take
 * them on their next tick rather than after the lease.
 */
export class ShardOwner {
  readonly copyId: string;
  readonly #opts: ShardOwnerOptions;
  readonly #leases: ShardLeases;
  readonly #sessions: SessionStore;
  readonly #throttler;
  readonly #held = new Map<number, HeldShard>();
  readonly #tickMs: number;
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | null = null;
  #stopped = false;

  constructor(opts: ShardOwnerOptions) {
    this.#opts = opts;
    this.copyId = opts.copyId ?? `copy-${randomUUID().slice(0, 8)}`;
    this.#leases = new ShardLeases(opts.redis, {
      prefix: opts.prefix,
      copyId: this.copyId,
      leaseMs: opts.leaseMs,
    });
    this.#sessions = new SessionStore(opts.redis, { prefix: opts.prefix });
    this.#throttler = redisIdentifyThrottler({
      rest: opts.rest,
      slots: new IdentifySlots(opts.redis, { prefix: opts.prefix }),
      floor: opts.identifyFloor,
      log: opts.log,
      onBudget: (b) => opts.metrics?.identifyBudget.note(b.remaining),
    });
    // Renewals well inside the lease; a handed-over shard is picked up within one tick.
    this.#tickMs = Math.max(200, Math.min(2000, Math.floor(opts.leaseMs / 4)));
    opts.metrics?.gatewayShardCount.set(opts.shardCount);
  }

  /** The shards this copy holds now. */
  held(): number[] {
    return [...this.#held.keys()].sort((a, b) => a - b);
  }

  /** Runs the first tick (so a lone copy holds its shards when this resolves), then ticks on a timer. */
  async start(): Promise<void> {
    await this.#tick();
    this.#schedule();
  }

  /** Hands every shard over (sessions kept for the next holder) and leaves the copy list. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#ticking;
    await this.#leases.leave().catch(() => {});
    await Promise.all(this.held().map((s) => this.#release(s)));
    this.#report();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.#tick().finally(() => this.#schedule());
    }, this.#tickMs);
  }

  #tick(): Promise<void> {
    this.#ticking ??= this.#step()
      .catch((err: Error) => this.#opts.log.error({ err: err.message }, 'shard ownership tick failed'))
      .finally(() => {
        this.#ticking = null;
      });
    return this.#ticking;
  }

  async #step(): Promise<void> {
    const { shardCount, log } = this.#opts;
    const copies = await this.#leases.heartbeat();
    for (const shard of await this.#leases.renew(this.held())) {
      log.warn({ shard }, 'shard lease lost (another copy holds it now): disconnecting');
      const held = this.#held.get(shard);
      this.#held.delete(shard);
      await held?.abandon();
    }
    if (this.#stopped) return;
    const move = planShards({
      shardCount,
      copies,
      self: this.copyId,
      holders: await this.#leases.holders(shardCount),
    });
    for (const shard of move.release) await this.#release(shard);
    for (const shard of move.take) {
      if (await this.#leases.take(shard)) this.#hold(shard);
    }
    this.#report();
  }

  /** Which shards this copy holds, for the alerts on a shard held by no copy or by two. */
  #report(): void {
    const metrics = this.#opts.metrics;
    if (!metrics) return;
    metrics.gatewayShardsHeld.set(this.#held.size);
    metrics.gatewayShardHeld.reset();
    for (const shard of this.#held.keys()) metrics.gatewayShardHeld.set({ shard: String(shard) }, 1);
  }

  #hold(shardId: number): void {
    const o = this.#opts;
    const shard = new HeldShard({
      shardId,
      shardCount: o.shardCount,
      token: o.token,
      intents: o.intents,
      rest: o.rest,
      sessions: this.#sessions,
      throttler: this.#throttler,
      log: o.log,
      onDispatch: o.onDispatch,
      onSession: (id, kind) => {
        o.metrics?.gatewaySessions.inc({ kind });
        if (kind === 'identify') o.metrics?.identifyBudget.spent();
        o.log.info({ shardId: id, shardCount: o.shardCount, kind, copy: this.copyId }, 'gateway shard live');
      },
    });
    this.#held.set(shardId, shard);
    // Not awaited: an IDENTIFY may wait seconds for its slot; renewals go on meanwhile.
    shard.connect().catch((err: Error) => {
      // A shard let go while it waited for its IDENTIFY slot ends its connect with the reason: not a failure.
      if (this.#held.get(shardId) === shard && !this.#stopped)
        o.log.error({ shardId, err: err.message }, 'gateway shard failed');
    });
  }

  async #release(shardId: number): Promise<void> {
    const shard = this.#held.get(shardId);
    if (!shard) return;
    this.#held.delete(shardId);
    // Bounded: a shard let go while it was still connecting (waiting for its IDENTIFY slot) may take its
    // close past the connect; a stop must not wait on that (its lease is released either way).
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<'waited'>((resolve) => {
      timer = setTimeout(() => resolve('waited'), HANDOVER_WAIT_MS);
    });
    const closed = await Promise.race([
      shard.handOver().then(
        () => 'closed' as const,
        (err: Error) => {
          this.#opts.log.warn({ shardId, err: err.message }, 'gateway shard did not close cleanly');
          return 'closed' as const;
        },
      ),
      waited,
    ]);
    clearTimeout(timer);
    if (closed === 'waited')
      this.#opts.log.warn({ shardId }, 'gateway shard still closing; its lease is released');
    await this.#leases.release(shardId);
    this.#opts.log.info({ shardId, copy: this.copyId }, 'gateway shard handed over');
  }
}
