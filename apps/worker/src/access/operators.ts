import { operatorIds } from '@bridge/core';
import {
  type APIApplication,
  type Client,
  Routes,
  TeamMemberMembershipState,
  TeamMemberRole,
} from 'discord.js';
import type { WorkerDeps } from '../deps.ts';

/** How long the application's owner and team are trusted before Discord is asked again. */
export const OPERATORS_TTL_MS = 10 * 60_000;

type OperatorDeps = Pick<WorkerDeps, 'client' | 'config' | 'log'>;

interface Cached {
  ids: Set<string>;
  at: number;
}

const cache = new WeakMap<Client, Cached>();
const inFlight = new WeakMap<Client, Promise<Cached>>();

/**
 * The owner of the Discord application, or of a team-owned one its owner and the members who accepted the
 * invite with the Admin or Developer role (Read-only members cannot change the app, so they get no say
 * here either), from GET /applications/@me.
 */
async function fromDiscord(client: Client<true>): Promise<Set<string>> {
  const app = (await client.rest.get(Routes.currentApplication())) as APIApplication;
  const team = app.team;
  if (team) {
    const members = team.members
      .filter(
        (m) =>
          m.membership_state === TeamMemberMembershipState.Accepted && m.role !== TeamMemberRole.ReadOnly,
      )
      .map((m) => m.user.id);
    return operatorIds({ owner: { teamMemberIds: [team.owner_user_id, ...members] } });
  }
  return operatorIds({ owner: app.owner ? { userId: app.owner.id } : null });
}

/**
 * The deployment's operators: the application's owner or team (asked of Discord at most every
 * OPERATORS_TTL_MS, not per command) plus BRIDGE_OPERATOR_IDS. When Discord does not answer, the last answer
 * stands, and without one only BRIDGE_OPERATOR_IDS count.
 */
export async function operators(deps: OperatorDeps): Promise<Set<string>> {
  const { client, config, log } = deps;
  const configured = config.BRIDGE_OPERATOR_IDS ?? [];
  const held = cache.get(client);
  if (held && Date.now() - held.at < OPERATORS_TTL_MS) return new Set([...held.ids, ...configured]);
  let pending = inFlight.get(client);
  if (!pending) {
    pending = fromDiscord(client)
      .then((ids) => {
        const fresh = { ids, at: Date.now() };
        cache.set(client, fresh);
        return fresh;
      })
      .catch((err: Error) => {
        log.warn(
          { err: err.message },
          held
            ? 'application owner not read from Discord: the last answer stands'
            : 'application owner not read from Discord: only BRIDGE_OPERATOR_IDS are operators for now',
        );
        return held ?? { ids: new Set<string>(), at: 0 };
      })
      .finally(() => inFlight.delete(client));
    inFlight.set(client, pending);
  }
  const { ids } = await pending;
  return new Set([...ids, ...configured]);
}

export async function isOperator(deps: OperatorDeps, userId: string): Promise<boolean> {
  return (await operators(deps)).has(userId);
}
