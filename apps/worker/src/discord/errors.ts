import { UnrecoverableError } from 'bullmq';
import { DiscordAPIError } from 'discord.js';

/** Discord codes no retry can fix, with what the operator has to do about each. */
const FIXES: Record<number, string> = {
  50013:
    'the bot lacks a permission it needs (View Channel, Connect, Speak, Move Members, Manage Channels, Manage Roles) on the match category (VC_CATEGORY_ID), the lobby or the channel: grant it to the bot role on the category itself (Discord checks the overwrites the bridge sets against what the bot has there); `./run preflight` lists what is missing',
  50001:
    'the bot cannot see the channel or category, or is not in the guild: give the bot role View Channel there, or fix VC_CATEGORY_ID / VC_LOBBY_CHANNEL_ID / DISCORD_GUILD_ID',
  10004: 'the bot is not in guild DISCORD_GUILD_ID: invite it, or fix the id',
};

export function discordCode(err: unknown): number | null {
  return err instanceof DiscordAPIError && typeof err.code === 'number' ? err.code : null;
}

/** Runs a Discord call; unrecoverable errors become UnrecoverableError (the job fails at once). */
export async function discordOp<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const code = discordCode(err);
    const fix = code === null ? undefined : FIXES[code];
    if (fix) throw new UnrecoverableError(`${what}: ${fix} (Discord ${code}: ${(err as Error).message})`);
    throw err;
  }
}

/** Like discordOp, but the listed codes (e.g. 10003 Unknown Channel on delete) count as done. */
export async function discordOpIgnoring<T>(
  what: string,
  ignore: readonly number[],
  fn: () => Promise<T>,
): Promise<T | null> {
  try {
    return await discordOp(what, fn);
  } catch (err) {
    const code = discordCode(err);
    if (code !== null && ignore.includes(code)) return null;
    throw err;
  }
}

export function isCategoryFull(err: unknown): boolean {
  return parentError(err) === 'CHANNEL_PARENT_MAX_CHANNELS';
}

/** Discord refused a channel's parent as gone (deleted since this copy's cache saw it). */
export function isParentGone(err: unknown): boolean {
  return parentError(err) === 'CHANNEL_PARENT_INVALID';
}

/** The code of a 50035's `parent_id` field error, e.g. CHANNEL_PARENT_MAX_CHANNELS. */
function parentError(err: unknown): string | undefined {
  if (!(err instanceof DiscordAPIError) || err.code !== 50035) return undefined;
  const raw = err.rawError as { errors?: { parent_id?: { _errors?: Array<{ code?: unknown }> } } };
  const code = raw.errors?.parent_id?._errors?.[0]?.code;
  return typeof code === 'string' ? code : undefined;
}
