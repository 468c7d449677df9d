import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/** How long a /link button stays usable: 10 minutes (docs/architecture.md, Account linking). */
export const OAUTH_STATE_TTL_SEC = 600;
/** How long the callback's parked code waits for the worker; the code itself expires sooner at FACEIT. */
export const LINK_TICKET_TTL_SEC = 300;

const pendingSchema = z.object({ discordUserId: z.string().min(1), verifier: z.string().min(43) });
export type PendingLink = z.infer<typeof pendingSchema>;

const ticketSchema = pendingSchema.extend({ code: z.string().min(1) });
export type LinkTicket = z.infer<typeof ticketSchema>;

// The state is hashed in the key so a Redis key listing (or a log of it) cannot be replayed as a state.
export function oauthStateKey(prefix: string, state: string): string {
  return `${prefix}:oauth:state:${createHash('sha256').update(state).digest('hex')}`;
}

export function linkTicketKey(prefix: string, ticket: string): string {
  return `${prefix}:oauth:ticket:${ticket}`;
}

/** state → {discordUserId, verifier}; written by /link, taken once by the callback. */
export async function putOAuthState(
  redis: Redis,
  prefix: string,
  state: string,
  pending: PendingLink,
  ttlSec = OAUTH_STATE_TTL_SEC,
): Promise<void> {
  await redis.set(oauthStateKey(prefix, state), JSON.stringify(pending), 'EX', ttlSec);
}

/** GETDEL: the first caller gets the value, every later one (replay) gets null. */
export async function takeOAuthState(
  redis: Redis,
  prefix: string,
  state: string,
): Promise<PendingLink | null> {
  return parse(pendingSchema, await redis.getdel(oauthStateKey(prefix, state)));
}

/** Parks what the worker needs under a random ticket so the job data carries no code or verifier. */
export async function parkLinkTicket(
  redis: Redis,
  prefix: string,
  ticket: string,
  value: LinkTicket,
  ttlSec = LINK_TICKET_TTL_SEC,
): Promise<void> {
  await redis.set(linkTicketKey(prefix, ticket), JSON.stringify(value), 'EX', ttlSec);
}

export async function readLinkTicket(
  redis: Redis,
  prefix: string,
  ticket: string,
): Promise<LinkTicket | null> {
  return parse(ticketSchema, await redis.get(linkTicketKey(prefix, ticket)));
}

export async function dropLinkTicket(redis: Redis, prefix: string, ticket: string): Promise<void> {
  await redis.del(linkTicketKey(prefix, ticket));
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
