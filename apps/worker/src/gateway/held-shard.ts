import type { Logger, SessionStore } from '@bridge/core';
import {
  CloseCodes,
  type IIdentifyThrottler,
  type SessionInfo,
  WebSocketManager,
  WebSocketShardEvents,
} from '@discordjs/ws';
import type { GatewayDispatchPayload, REST } from 'discord.js';

export interface HeldShardOptions {
  shardId: number;
  shardCount: number;
  token: string;
  intents: number;
  rest: REST;
  sessions: SessionStore;
  throttler: IIdentifyThrottler;
  log: Logger;
  onDispatch: (shardId: number, data: GatewayDispatchPayload) => void;
  /** a session began: by RESUME (continued from Redis) or IDENTIFY (a new one) */
  onSession: (shardId: number, kind: 'resume' | 'identify') => void;
}

/**
 * One gateway shard this copy holds: an @discordjs/ws manager for that shard alone, with no cache (what jobs
 * need is mirrored to Redis by the dispatch handler). Its session info lives in Redis, so the next holder
 * of the shard RESUMEs it: read once when connecting, written behind every dispatch (the sequence).
 */
export class HeldShard {
  readonly shardId: number;
  readonly #opts: HeldShardOptions;
  readonly #manager: WebSocketManager;
  #info: SessionInfo | null = null;
  #loaded = false;
  /** set while handing over: the close must not forget the session (@discordjs/ws clears it on close) */
  #keep = false;
  #dirty = false;
  #writes: Promise<void> = Promise.resolve();

  constructor(opts: HeldShardOptions) {
    this.shardId = opts.shardId;
    this.#opts = opts;
    this.#manager = new WebSocketManager({
      token: opts.token,
      intents: opts.intents,
      rest: opts.rest,
      shardIds: [opts.shardId],
      shardCount: opts.shardCount,
      buildIdentifyThrottler: () => opts.throttler,
      retrieveSessionInfo: async () => {
        if (!this.#loaded) {
          this.#info = await opts.sessions.get(opts.shardId);
          this.#loaded = true;
        }
        return this.#info;
      },
      updateSessionInfo: (_id, info) => {
        if (info === null && this.#keep) return;
        this.#info = info;
        this.#persist();
      },
    });
    this.#manager.on(WebSocketShardEvents.Dispatch, ({ data, shardId }) => opts.onDispatch(shardId, data));
    this.#manager.on(WebSocketShardEvents.Ready, () => opts.onSession(opts.shardId, 'identify'));
    this.#manager.on(WebSocketShardEvents.Resumed, () => opts.onSession(opts.shardId, 'resume'));
    this.#manager.on(WebSocketShardEvents.Closed, ({ code }) => {
      // Our own closes (a handover) are routine; Discord closing the connection is worth a line.
      if (this.#keep)
        opts.log.debug({ shardId: opts.shardId, closeCode: code }, 'gateway shard connection closed');
      else opts.log.warn({ shardId: opts.shardId, closeCode: code }, 'discord gateway disconnected');
    });
    this.#manager.on(WebSocketShardEvents.Error, ({ error }) =>
      opts.log.warn({ shardId: opts.shardId, err: error.message }, 'gateway shard error'),
    );
  }

  /** Connects (RESUME if Redis has a session for this shard count, else IDENTIFY through the throttle). */
  async connect(): Promise<void> {
    await this.#manager.connect();
  }

  /**
   * Hands the shard over: closes with a resumable code (not 1000, which would end the session on Discord),
   * keeps the session info in Redis with its last sequence, for the next holder to RESUME.
   */
  async handOver(): Promise<void> {
    this.#keep = true;
    await this.#manager.destroy({ code: CloseCodes.Resuming, reason: 'handing the shard to another copy' });
    this.#persist();
    await this.#writes;
  }

  /** Lets go of a shard whose lease another copy took: disconnects without touching its stored session. */
  async abandon(): Promise<void> {
    this.#keep = true;
    this.#dirty = true; // no more writes: the session belongs to the new holder
    await this.#manager.destroy({ code: CloseCodes.Resuming, reason: 'the shard is held elsewhere' });
  }

  /** Writes the latest session info behind the dispatches: at most one write in flight, the last one wins. */
  #persist(): void {
    if (this.#dirty) return;
    this.#dirty = true;
    this.#writes = this.#writes
      .then(async () => {
        this.#dirty = false;
        await this.#opts.sessions.set(this.shardId, this.#info);
      })
      .catch((err: Error) =>
        this.#opts.log.warn({ shardId: this.shardId, err: err.message }, 'gateway session not saved'),
      );
  }
}
