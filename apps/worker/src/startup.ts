import { type Logger, pause, type WorkerConfig } from '@bridge/core';

import type { Client } from 'discord.js';
import { restClient } from './discord/client.ts';
import { type Check, describeFailures, discordPreflight, failedCheckCode } from './discord/preflight.ts';

/** The wait before attempt n+1: the base, doubling, at most 16× (minutes with the default base). */
export function backoff(baseMs: number, attempt: number): number {
  return baseMs * 2 ** Math.min(attempt, 4);
}

/**
 * Logs into Discord only after the REST checks pass (token, identify budget, guild, permissions), and
 * never in a tight loop: a failed check or login is reported through `setProblem` (shown on /healthz) and
 * retried after a backoff, in this process. Exiting instead would make the orchestrator restart the worker
 * and spend an IDENTIFY per restart until Discord resets the token.
 */
export async function loginSafely(opts: {
  config: WorkerConfig;
  log: Logger;
  signal: AbortSignal;
  /** `code`: a short stable name of the problem for metrics (failedCheckCode, logging_in, login_failed). */
  setProblem: (problem: string | null, code?: string) => void;
  /** Every migration this release ships is applied (lib/schema-check.ts); checked first, before Discord. */
  schema?: () => Promise<Check>;
}): Promise<{ client: Client<true> }> {
  const { config, log, signal } = opts;
  // No IDENTIFY is at stake in the schema check: retried sooner than the Discord checks (from 5 s, doubling).
  for (let attempt = 0; opts.schema; attempt++) {
    const schema = await opts.schema();
    signal.throwIfAborted();
    if (schema.ok) break;
    const retryInMs = backoff(Math.min(5000, config.PREFLIGHT_RETRY_MS), attempt);
    const problem = `${schema.name}: ${schema.detail} (fix: ${schema.fix})`;
    opts.setProblem(problem, 'schema');
    log.error({ problem, retryInMs }, "not taking jobs until the database has this release's migrations");
    await pause(retryInMs, signal);
  }
  for (let attempt = 0; ; attempt++) {
    const checks = await discordPreflight({
      token: config.DISCORD_TOKEN,
      apiUrl: config.DISCORD_API_URL,
      guildId: config.DISCORD_GUILD_ID,
      categoryId: config.VC_CATEGORY_ID,
      lobbyId: config.VC_LOBBY_CHANNEL_ID,
      identifyFloor: config.DISCORD_IDENTIFY_FLOOR,
    });
    signal.throwIfAborted();
    let problem = describeFailures(checks);
    let code = failedCheckCode(checks) ?? 'login_failed';
    if (!problem) {
      // Optional features the bot lacks a permission for: logged, never a reason not to start.
      for (const c of checks.filter((x) => x.warn)) {
        log.warn({ check: c.name, fix: c.fix }, `${c.name}: ${c.detail}`);
      }
      opts.setProblem('logging into the Discord gateway', 'logging_in');
      const connected = await connect(config, log).catch((err: Error) => err);
      signal.throwIfAborted();
      if (!(connected instanceof Error)) {
        opts.setProblem(null);
        return connected;
      }
      problem = `discord login failed: ${connected.message}`;
      code = 'login_failed';
    }
    const retryInMs = backoff(config.PREFLIGHT_RETRY_MS, attempt);
    opts.setProblem(problem, code);
    log.error({ problem, checks, retryInMs }, 'not logging into Discord until this is fixed');
    await pause(retryInMs, signal);
  }
}

/** The REST client (the gateway sessions are the ShardOwner's, app.ts). The preflight checked the guild. */
async function connect(config: WorkerConfig, log: Logger): Promise<{ client: Client<true> }> {
  return { client: await restClient({ token: config.DISCORD_TOKEN, apiUrl: config.DISCORD_API_URL, log }) };
}
