import type { Logger } from '@bridge/core';
import type { Client } from 'discord.js';

/** Best effort: a user with DMs closed must not fail the job that already did its work. */
export async function sendDm(client: Client, log: Logger, userId: string, content: string): Promise<boolean> {
  try {
    const user = await client.users.fetch(userId);
    await user.send({ content });
    return true;
  } catch (err) {
    log.warn({ userId, err: (err as Error).message }, 'cannot send DM');
    return false;
  }
}
