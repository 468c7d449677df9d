import { kindTakesId, parseFollow } from '@bridge/core';
import type { SetupHandler } from './types.ts';

function describe(kind: string, id: string): string {
  return id ? `${kind} \`${id}\`` : kind === 'all' ? 'every match' : 'matches of linked members';
}

/** /setup follow kind: id: */
export const setupFollow: SetupHandler = async (interaction, guild, deps) => {
  const parsed = parseFollow(
    interaction.options.getString('kind', true),
    interaction.options.getString('id'),
  );
  if (!parsed.ok) return `Not followed: ${parsed.error}. Nothing was changed.`;
  const added = await deps.guilds.follow(guild.id, parsed.kind, parsed.targetId);
  deps.log.info({ guildId: guild.id, kind: parsed.kind, targetId: parsed.targetId, added }, 'setup follow');
  const what = describe(parsed.kind, parsed.targetId);
  return added
    ? `This server now follows ${what}.`
    : `This server already follows ${what}. Nothing was changed.`;
};

/** /setup unfollow kind: id: */
export const setupUnfollow: SetupHandler = async (interaction, guild, deps) => {
  const parsed = parseFollow(
    interaction.options.getString('kind', true),
    interaction.options.getString('id'),
  );
  if (!parsed.ok) return `Not unfollowed: ${parsed.error}. Nothing was changed.`;
  const removed = await deps.guilds.unfollow(guild.id, parsed.kind, parsed.targetId);
  deps.log.info(
    { guildId: guild.id, kind: parsed.kind, targetId: parsed.targetId, removed },
    'setup unfollow',
  );
  const what = describe(parsed.kind, parsed.targetId);
  if (removed) return `This server no longer follows ${what}.`;
  const hint = kindTakesId(parsed.kind) ? ' (/setup show lists what it follows)' : '';
  return `This server did not follow ${what}${hint}. Nothing was changed.`;
};
