import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { RedisClient } from '../redis/connection.ts';
import { redisKey } from '../redis/keys.ts';

/** How long a /link button stays usable: 10 minutes (docs/architecture.md, Account linking). */
export const LINK_START_TTL_SEC = 600;
/** How long a started flow may take at FACEIT, from the start page to the callback. */
export const OAUTH_STATE_TTL_SEC = 600;
/** How long the callback's parked code waits for the worker; the code itself expires sooner at FACEIT. */
export const LINK_TICKET_TTL_SEC = 300;
/** How long a link's result waits for the callback page to read it (the page waits LINK_RESULT_WAIT_MS). */
export const LINK_RESULT_TTL_SEC = 120;

const startSchema = z.object({
  discordUserId: z.string().min(1),
  discordUsername: z.string().min(1),
  state: z.string().min(22),
  verifier: z.string().min(43),
  authorizeUrl: z.url(),
});
/** What /link prepares and the start page takes once: who is linking, and the FACEIT URL to continue to. */
export type LinkStart = z.infer<typeof startSchema>;

const pendingSchema = z.object({
  discordUserId: z.string().min(1),
  verifier: z.string().min(43),
  /** sha256 of the browser cookie set by the start page: the callback must come from that browser. */
  browser: z.string().length(64),
});
export type PendingLink = z.infer<typeof pendingSchema>;

const ticketSchema = z.object({
  discordUserId: z.string().min(1),
  verifier: z.string().min(43),
  code: z.string().min(1),
});
export type LinkTicket = z.infer<typeof ticketSchema>;

const resultSchema = z.object({
  discordUsername: z.string().min(1),
  faceitNickname: z.string().min(1),
  /** The FACEIT account was linked to another Discord account before. */
  tookOver: z.boolean(),
});
/** What the callback page shows of a finished link: read once, then gone. */
export type LinkResult = z.infer<typeof resultSchema>;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

// Secrets are hashed in keys so a Redis key listing (or a log of it) cannot be replayed.
// One single-key command each, so one group ({oauth} on a cluster) costs nothing and keeps names stable.
export function oauthStateKey(redis: RedisClient, prefix: string, state: string): string {
  return redisKey(redis, prefix, 'oauth', 'state', sha256(state));
}

export function linkStartKey(redis: RedisClient, prefix: string, token: string): string {
  return redisKey(redis, prefix, 'oauth', 'start', sha256(token));
}

/** The value kept for a browser cookie: its hash, so Redis never holds the cookie itself. */
export function browserBinding(cookie: string): string {
  return sha256(cookie);
}

/** token → LinkStart; written by /link, taken once by the start page. */
export async function putLinkStart(
  redis: RedisClient,
  prefix: string,
  token: string,
  start: LinkStart,
  ttlSec = LINK_START_TTL_SEC,
): Promise<void> {
  await redis.set(linkStartKey(redis, prefix, token), JSON.stringify(start), 'EX', ttlSec);
}

/** GETDEL: the first browser to open the start URL gets it; a copy opened later gets null. */
export async function takeLinkStart(
  redis: RedisClient,
  prefix: string,
  token: string,
): Promise<LinkStart | null> {
  return parse(startSchema, await redis.getdel(linkStartKey(redis, prefix, token)));
}

export function linkTicketKey(redis: RedisClient, prefix: string, ticket: string): string {
  return redisKey(redis, prefix, 'oauth', 'ticket', ticket);
}

/** state → {discordUserId, verifier, browser}; written by the start page, taken once by the callback. */
export async function putOAuthState(
  redis: RedisClient,
  prefix: string,
  state: string,
  pending: PendingLink,
  ttlSec = OAUTH_STATE_TTL_SEC,
): Promise<void> {
  await redis.set(oauthStateKey(redis, prefix, state), JSON.stringify(pending), 'EX', ttlSec);
}

/** GETDEL: the first caller gets the value, every later one (replay) gets null. */
export async function takeOAuthState(
  redis: RedisClient,
  prefix: string,
  state: string,
): Promise<PendingLink | null> {
  return parse(pendingSchema, await redis.getdel(oauthStateKey(redis, prefix, state)));
}

/** Parks what the worker needs under a random ticket so the job data carries no code or verifier. */
export async function parkLinkTicket(
  redis: RedisClient,
  prefix: string,
  ticket: string,
  value: LinkTicket,
  ttlSec = LINK_TICKET_TTL_SEC,
): Promise<void> {
  await redis.set(linkTicketKey(redis, prefix, ticket), JSON.stringify(value), 'EX', ttlSec);
}

/** GETDEL: whoever takes the ticket is the only one who may present its code to FACEIT. */
export async function takeLinkTicket(
  redis: RedisClient,
  prefix: string,
  ticket: string,
): Promise<LinkTicket | null> {
  return parse(ticketSchema, await redis.getdel(linkTicketKey(redis, prefix, ticket)));
}

export function linkResultKey(redis: RedisClient, prefix: string, ticket: string): string {
  return redisKey(redis, prefix, 'oauth', 'result', sha256(ticket));
}

/** Written by the worker once linked, for the callback page of this ticket. */
export async function putLinkResult(
  redis: RedisClient,
  prefix: string,
  ticket: string,
  result: LinkResult,
  ttlSec = LINK_RESULT_TTL_SEC,
): Promise<void> {
  await redis.set(linkResultKey(redis, prefix, ticket), JSON.stringify(result), 'EX', ttlSec);
}

/** GETDEL: the callback page reads the pairing once; nothing keeps it after. */
export async function takeLinkResult(
  redis: RedisClient,
  prefix: string,
  ticket: string,
): Promise<LinkResult | null> {
  return parse(resultSchema, await redis.getdel(linkResultKey(redis, prefix, ticket)));
}

function parse<T>(schema: z.ZodType<T>, raw: string | null): T | null {
  if (raw === null) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
