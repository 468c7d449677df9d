import {
  attemptsLeft,
  type FaceitIdentity,
  type FaceitOAuthClient,
  type JobHandler,
  type LinkFailure,
  type LinkJobData,
  type LinkJobResult,
  type Logger,
  linkFailureMessage,
  OAuthConfigError,
  OAuthGrantError,
  OAuthNotSentError,
  type PlayerLinkStore,
  parkLinkTicket,
  putLinkResult,
  type RedisClient,
  takeLinkTicket,
} from '@bridge/core';
import { UnrecoverableError } from 'bullmq';
import type { Client } from 'discord.js';
import { sendDm } from '../lib/dm.ts';

export interface LinkAccountDeps {
  redis: RedisClient;
  prefix: string;
  oauth: FaceitOAuthClient;
  links: PlayerLinkStore;
  client: Client;
  /** After the link is stored (level roles, nicknames); must not throw. */
  onLinked?: (
    link: {
      discordUserId: string;
      faceitId: string;
      faceitNickname: string;
      previousDiscordUserId: string | null;
    },
    log: Logger,
  ) => Promise<void>;
}

const AGAIN = 'Run /link in the server again to get a fresh button.';
const FAILED = 'Linking your FACEIT account failed:';

/**
 * linkAccount: code + verifier (parked by the callback) → FACEIT identity → OAuth-verified link.
 * The ticket is taken out of Redis before the code is presented, so the code reaches FACEIT at most
 * once (a retry or a second worker finds no ticket); it is put back only when FACEIT provably never
 * saw it. After the exchange only userinfo is retried, with the access token, inside this attempt.
 */
export function linkAccountHandler(deps: LinkAccountDeps): JobHandler<LinkJobData, LinkJobResult> {
  return async (data, { job, log }) => {
    const final = async (reason: LinkFailure, detail: string, dm: string): Promise<never> => {
      await sendDm(deps.client, log, data.discordUserId, dm);
      throw new UnrecoverableError(linkFailureMessage(reason, detail));
    };

    const ticket = await takeLinkTicket(deps.redis, deps.prefix, data.ticket);
    if (!ticket || ticket.discordUserId !== data.discordUserId) {
      return final(
        'ticket_missing',
        'the parked sign-in expired or was already processed',
        `${FAILED} the sign-in took too long to process. ${AGAIN}`,
      );
    }
    let identity: FaceitIdentity;
    try {
      identity = await deps.oauth.identify(ticket.code, ticket.verifier);
    } catch (err) {
      const message = (err as Error).message;
      if (err instanceof OAuthNotSentError) {
        if (attemptsLeft(job) > 0) {
          await parkLinkTicket(deps.redis, deps.prefix, data.ticket, ticket);
          log.warn({ err: message }, 'FACEIT did not take the code exchange, will retry');
          throw new Error(linkFailureMessage('faceit_unavailable', message));
        }
        return final('faceit_unavailable', message, `${FAILED} FACEIT could not be reached. ${AGAIN}`);
      }
      if (err instanceof OAuthConfigError) {
        // For the operator: what FACEIT said and which settings to fix. Never the secret itself.
        log.error(
          { oauthError: err.code, settings: err.settings },
          `FACEIT OAuth is misconfigured: ${message}`,
        );
        return final(
          'misconfigured',
          message,
          `${FAILED} linking is misconfigured on this server's side, and the bridge's operators are alerted. Nothing was linked, and nothing is wrong with your FACEIT account; linking works once they have fixed the setting.`,
        );
      }
      if (err instanceof OAuthGrantError) {
        log.warn({ oauthError: err.code }, 'FACEIT refused the sign-in');
        return final(
          'invalid_grant',
          err.code,
          `${FAILED} FACEIT did not accept the sign-in (it was already used, expired, or did not match). ${AGAIN}`,
        );
      }
      log.warn({ err: message }, 'FACEIT sign-in could not be finished');
      return final(
        'faceit_unavailable',
        message,
        `${FAILED} FACEIT had a problem finishing the sign-in. ${AGAIN}`,
      );
    }

    const previous = await deps.links.linkOAuth(data.discordUserId, identity.faceitId, identity.nickname);
    log.info({ faceitId: identity.faceitId, movedFrom: previous }, 'account linked with OAuth');
    await deps.onLinked?.(
      {
        discordUserId: data.discordUserId,
        faceitId: identity.faceitId,
        faceitNickname: identity.nickname,
        previousDiscordUserId: previous,
      },
      log,
    );
    const user = await deps.client.users.fetch(data.discordUserId).catch(() => null);
    const username = user?.username ?? data.discordUserId;
    if (previous) {
      await sendDm(
        deps.client,
        log,
        previous,
        [
          // Who took it is not said: that would tell anyone who claims a nickname the Discord account behind it.
          `Your link to FACEIT account **${identity.nickname}** was removed: someone proved they own **${identity.nickname}** by signing in with FACEIT, and it is now linked to their Discord account.`,
          `If **${identity.nickname}** is your FACEIT account, take it back: run /link in the server and sign in with FACEIT (a verified sign-in moves the account to you). Only open /link buttons you got yourself, and if you did not sign in anywhere, change your FACEIT password.`,
        ].join('\n'),
      );
    }
    await sendDm(
      deps.client,
      log,
      data.discordUserId,
      `Your Discord account is now linked to FACEIT account **${identity.nickname}** (verified by signing in with FACEIT).`,
    );
    // For the callback page only, read once there; the job's return value names nobody.
    await putLinkResult(deps.redis, deps.prefix, data.ticket, {
      discordUsername: username,
      faceitNickname: identity.nickname,
      tookOver: previous !== null,
    }).catch((err: unknown) => log.warn({ err }, 'link result for the callback page not stored'));
    return { linked: true };
  };
}
