import {
  dropLinkTicket,
  type FaceitOAuthClient,
  LINK_FAILURES,
  type LinkJobData,
  type LinkJobResult,
  OAuthGrantError,
  type PlayerLinkStore,
  readLinkTicket,
} from '@bridge/core';
import { UnrecoverableError } from 'bullmq';
import type { Client } from 'discord.js';
import type { Redis } from 'ioredis';
import { sendDm } from '../lib/dm.ts';
import type { JobHandler } from './types.ts';

export interface LinkAccountDeps {
  redis: Redis;
  prefix: string;
  oauth: FaceitOAuthClient;
  links: PlayerLinkStore;
  client: Client;
}

const AGAIN = 'Run /link in the server again to get a fresh button.';

/**
 * linkAccount: code + verifier (parked by the callback) → FACEIT identity → OAuth-verified link.
 * The ticket is dropped as soon as the code is spent or the job gives up, so no code or verifier
 * outlives the job; the access token never leaves FaceitOAuthClient.identify().
 */
export function linkAccountHandler(deps: LinkAccountDeps): JobHandler<LinkJobData, LinkJobResult> {
  return async (data, { job, log }) => {
    const fail = async (reason: string, dm: string, retry = false) => {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (retry && !lastAttempt) throw new Error(reason);
      await dropLinkTicket(deps.redis, deps.prefix, data.ticket);
      await sendDm(deps.client, log, data.discordUserId, dm);
      throw retry ? new Error(reason) : new UnrecoverableError(reason);
    };

    const ticket = await readLinkTicket(deps.redis, deps.prefix, data.ticket);
    if (!ticket || ticket.discordUserId !== data.discordUserId) {
      return fail(
        `${LINK_FAILURES.ticketMissing}: the parked sign-in expired or was already processed`,
        `Linking your FACEIT account failed: the sign-in took too long to process. ${AGAIN}`,
      );
    }
    let identity: Awaited<ReturnType<FaceitOAuthClient['identify']>>;
    try {
      identity = await deps.oauth.identify(ticket.code, ticket.verifier);
    } catch (err) {
      if (err instanceof OAuthGrantError) {
        log.warn({ oauthError: err.code }, 'FACEIT refused the sign-in');
        return fail(
          `${LINK_FAILURES.invalidGrant}: ${err.code}`,
          `Linking your FACEIT account failed: FACEIT did not accept the sign-in (it was already used, expired, or did not match). ${AGAIN}`,
        );
      }
      log.warn({ err: (err as Error).message }, 'FACEIT sign-in not finished, will retry');
      return fail(
        `${LINK_FAILURES.faceitUnavailable}: ${(err as Error).message}`,
        `Linking your FACEIT account failed: FACEIT could not be reached. ${AGAIN}`,
        true,
      );
    }
    // The code is single use at FACEIT: once tried, the parked copy is worthless.
    await dropLinkTicket(deps.redis, deps.prefix, data.ticket);

    const previous = await deps.links.linkOAuth(data.discordUserId, identity.faceitId, identity.nickname);
    log.info({ faceitId: identity.faceitId, movedFrom: previous }, 'account linked with OAuth');
    if (previous) {
      await sendDm(
        deps.client,
        log,
        previous,
        `Your link to FACEIT account **${identity.nickname}** was removed: its owner signed in with FACEIT from another Discord account.`,
      );
    }
    await sendDm(
      deps.client,
      log,
      data.discordUserId,
      `Your Discord account is now linked to FACEIT account **${identity.nickname}** (verified by signing in with FACEIT).`,
    );
    const user = await deps.client.users.fetch(data.discordUserId).catch(() => null);
    return {
      discordUserId: data.discordUserId,
      discordUsername: user?.username ?? data.discordUserId,
      faceitNickname: identity.nickname,
      previousDiscordUserId: previous,
    };
  };
}
