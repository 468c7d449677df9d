import { type IdentifySlots, type Logger, pause } from '@bridge/core';
import type { IIdentifyThrottler } from '@discordjs/ws';
import type { REST } from 'discord.js';
import { type APIGatewayBotInfo, Routes } from 'discord.js';

export interface IdentifyBudget {
  remaining: number;
  total: number;
  resetAfterMs: number;
  maxConcurrency: number;
}

/**
 * One identify throttle for every worker copy (@discordjs/ws calls it before each IDENTIFY, never before a
 * RESUME). It reads Discord's own count of the daily budget first: below `floor` it waits for the reset
 * instead of spending the last IDENTIFYs (at 0 Discord resets the token); then it takes the shard's
 * `shard_id % max_concurrency` slot in Redis, which every copy shares, for Discord's 5 seconds.
 */
export function redisIdentifyThrottler(opts: {
  rest: REST;
  slots: IdentifySlots;
  floor: number;
  log: Logger;
  onBudget?: (budget: IdentifyBudget) => void;
}): IIdentifyThrottler {
  return {
    async waitForIdentify(shardId: number, signal: AbortSignal): Promise<void> {
      for (;;) {
        const info = (await opts.rest.get(Routes.gatewayBot())) as APIGatewayBotInfo;
        const limit = info.session_start_limit;
        const budget = {
          remaining: limit.remaining,
          total: limit.total,
          resetAfterMs: limit.reset_after,
          maxConcurrency: Math.max(1, limit.max_concurrency),
        };
        opts.onBudget?.(budget);
        if (budget.remaining > opts.floor) {
          await opts.slots.acquire(shardId % budget.maxConcurrency, signal);
          return;
        }
        opts.log.error(
          { shardId, remaining: budget.remaining, floor: opts.floor, resetInMs: budget.resetAfterMs },
          'identify budget nearly spent: the shard waits for the daily reset instead of identifying',
        );
        await pause(Math.max(1000, budget.resetAfterMs), signal);
      }
    },
  };
}
