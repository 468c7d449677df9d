import type { Logger } from '@bridge/core';
import type { Client } from 'discord.js';
import type { WorkerDeps } from '../deps.ts';
import { discordCode } from '../discord/errors.ts';

/**
 * Sets (or with '' clears) a voice channel's status: never a rename, which Discord limits to 2 per
 * 10 minutes per channel. Answers false when Discord refused (the reason is the caller's to log).
 */
export async function putVoiceStatus(
  client: Client<true>,
  channelId: string,
  status: string,
): Promise<boolean> {
  try {
    await client.rest.put(`/channels/${channelId}/voice-status`, { body: { status } });
    return true;
  } catch (err) {
    // 10003: the channel is gone (its status with it); anything else: refused or failing, caller logs.
    if (discordCode(err) === 10003) return true;
    throw err;
  }
}

/** Whether the match's card set a status on its team channels (false when it cannot tell). */
export async function cardVoiceStatusSet(
  deps: Pick<WorkerDeps, 'cards'>,
  matchId: string,
  guildId: string,
): Promise<boolean> {
  const row = await deps.cards.get(matchId, guildId).catch(() => null);
  return (row?.voice_status ?? '') !== '';
}

/** Clears a channel's status; a refusal is logged and never stops the clean-up. */
export async function clearVoiceStatus(client: Client<true>, channelId: string, log: Logger): Promise<void> {
  await putVoiceStatus(client, channelId, '').then(
    () => log.info({ channelId }, 'voice channel status cleared'),
    (err: Error) => log.warn({ channelId, err: err.message }, 'voice channel status not cleared'),
  );
}
