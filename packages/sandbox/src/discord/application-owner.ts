/**
 * Who owns the application, as `GET /applications/@me` tells (Discord's Application and Team objects): a
 * developer's user account, or a team. A team-owned application's `owner` is the team's pseudo-user (id =
 * the team id, flag TEAM_PSEUDO_USER 1 << 10) and `team` lists its members with their role and whether they
 * accepted the invite (`membership_state` 1 invited, 2 accepted).
 */
import { userJson } from './serialize.ts';
import { snowflake } from './snowflake.ts';
import type { UserRec } from './types.ts';

export type TeamRole = 'admin' | 'developer' | 'read_only';

/** How a test describes the owner (startDiscordEmulator's `applicationOwner`). */
export type ApplicationOwnerSpec =
  | { username?: string }
  | {
      team: {
        name?: string;
        /** The first member owns the team. */
        members: { username: string; role?: TeamRole; pending?: boolean }[];
      };
    };

export type ApplicationOwner =
  | { kind: 'user'; userId: string }
  | {
      kind: 'team';
      teamId: string;
      name: string;
      ownerUserId: string;
      members: { userId: string; role: TeamRole; membershipState: 1 | 2 }[];
    };

/** Creates the owner's user records (they are ordinary Discord users, not bots). */
export function createOwner(users: Map<string, UserRec>, spec: ApplicationOwnerSpec = {}): ApplicationOwner {
  const user = (username: string): string => {
    const id = snowflake();
    users.set(id, { id, username, globalName: null, bot: false, dmsClosed: false });
    return id;
  };
  if (!('team' in spec)) return { kind: 'user', userId: user(spec.username ?? 'app-owner') };
  const members = spec.team.members.map((m) => ({
    userId: user(m.username),
    role: m.role ?? 'admin',
    membershipState: m.pending ? (1 as const) : (2 as const),
  }));
  const owner = members[0];
  if (!owner) throw new Error('a team needs at least one member (its owner)');
  return {
    kind: 'team',
    teamId: snowflake(),
    name: spec.team.name ?? 'Sandbox Team',
    ownerUserId: owner.userId,
    members,
  };
}

/** `owner` and `team` of the application object. */
export function ownerJson(
  owner: ApplicationOwner,
  users: ReadonlyMap<string, UserRec>,
): Record<string, unknown> {
  const json = (id: string) => {
    const u = users.get(id);
    if (!u) throw new Error(`unknown user ${id}`);
    return userJson(u);
  };
  if (owner.kind === 'user') return { owner: json(owner.userId), team: null };
  const pseudo = {
    id: owner.teamId,
    username: `team${owner.teamId}`,
    discriminator: '0000',
    global_name: null,
    avatar: null,
    public_flags: 1 << 10,
    flags: 1 << 10,
  };
  return {
    owner: pseudo,
    team: {
      id: owner.teamId,
      name: owner.name,
      icon: null,
      owner_user_id: owner.ownerUserId,
      members: owner.members.map((m) => ({
        membership_state: m.membershipState,
        team_id: owner.teamId,
        permissions: ['*'],
        role: m.role,
        user: json(m.userId),
      })),
    },
  };
}
