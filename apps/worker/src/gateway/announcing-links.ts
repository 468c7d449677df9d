import {
  type NicknameClaim,
  type PlayerLink,
  PlayerLinkStore,
  type ServerLink,
  type ServerLinkOutcome,
} from '@bridge/core';

/**
 * The link store, announcing every change of who is who: a player who links (or unlinks) during their match
 * becomes (or stops being) a late joiner the copies keep in memory (gateway/live-members.ts).
 */
export class AnnouncingLinks extends PlayerLinkStore {
  /** no guild: a global link changed (every guild's members may); a guild: that guild's server links did */
  readonly #changed: (guildId?: string) => void;

  constructor(db: ConstructorParameters<typeof PlayerLinkStore>[0], changed: (guildId?: string) => void) {
    super(db);
    this.#changed = changed;
  }

  override async remove(discordId: string): Promise<PlayerLink | null> {
    const removed = await super.remove(discordId);
    if (removed) this.#changed();
    return removed;
  }

  override async linkOAuth(discordId: string, faceitId: string, nickname: string): Promise<string | null> {
    const previous = await super.linkOAuth(discordId, faceitId, nickname);
    this.#changed();
    return previous;
  }

  override async claimNickname(
    discordId: string,
    faceitId: string,
    nickname: string,
  ): Promise<NicknameClaim> {
    const outcome = await super.claimNickname(discordId, faceitId, nickname);
    if (outcome === 'linked') this.#changed();
    return outcome;
  }

  override async linkOperator(discordId: string, faceitId: string, nickname: string): Promise<string | null> {
    const previous = await super.linkOperator(discordId, faceitId, nickname);
    this.#changed();
    return previous;
  }

  override async setServerLink(
    guildId: string,
    discordId: string,
    account: { faceitId: string; nickname: string } | null,
    setBy: string,
  ): Promise<ServerLinkOutcome> {
    const outcome = await super.setServerLink(guildId, discordId, account, setBy);
    if (outcome === 'set') this.#changed(guildId);
    return outcome;
  }

  override async resetServerLink(guildId: string, discordId: string): Promise<ServerLink | null> {
    const removed = await super.resetServerLink(guildId, discordId);
    if (removed) this.#changed(guildId);
    return removed;
  }
}
