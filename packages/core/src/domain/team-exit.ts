/**
 * Who must leave a team channel, and where to. Discord does not disconnect a member who loses Connect
 * while in a voice channel, so a player substituted out of the roster keeps hearing the team until the
 * bridge moves them: to the lobby, or (no lobby configured) out of voice.
 */
export interface Occupant {
  userId: string;
  /** whether the channel's current permissions let them connect (staff, admins: yes) */
  canConnect: boolean;
}

export function mustLeave(
  occupants: readonly Occupant[],
  memberIds: readonly string[],
  botUserId: string,
): string[] {
  const team = new Set(memberIds);
  return occupants
    .filter((o) => o.userId !== botUserId && !team.has(o.userId) && !o.canConnect)
    .map((o) => o.userId)
    .sort();
}

/** The channel a leaver is moved to; null = disconnect them. */
export function exitChannel(lobbyId: string | undefined): string | null {
  return lobbyId ? lobbyId : null;
}
