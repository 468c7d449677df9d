import type { LevelSettingsStore } from '@bridge/core';

/** /setup show's lines for level roles and nicknames. */
export async function levelShowLines(guildId: string, store: LevelSettingsStore): Promise<string[]> {
  const s = await store.get(guildId);
  const roles = s.levelRoleIds
    ? s.levelRoleIds.map((id, i) => `${i + 1}: ${id ? `<@&${id}>` : '—'}`).join(', ')
    : 'off';
  return [`level roles: ${roles}`, `nicknames: ${s.nickTemplate ? `\`${s.nickTemplate}\`` : 'off'}`];
}
