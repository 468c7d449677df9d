import { DiscordAPIError } from 'discord.js';

/** The DiscordAPIError a discord.js call rejected with; any other outcome fails the test. */
export async function apiError(p: Promise<unknown>): Promise<DiscordAPIError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof DiscordAPIError)) throw new Error(`expected DiscordAPIError, got ${String(err)}`);
  return err;
}
