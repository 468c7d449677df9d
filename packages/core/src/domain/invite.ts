import { BOT_PERMISSIONS, type BridgeFeature, PERMISSION_NAMES } from './bot-permissions.ts';

/**
 * What a deployment asks for when a server adds the bot (`./run invite`), from the one permission table: every
 * permission of the features it offers, granted to the bot's role at server level (a server-level grant covers
 * the category, the lobby and a card channel alike). The preflight checks the bot's server-level permissions
 * against the same set, so the two cannot disagree.
 */
export const ALL_FEATURES: readonly BridgeFeature[] = [...new Set(BOT_PERMISSIONS.map((n) => n.feature))];

/** Features an operator may leave out of the invite; the core ones (channels, moves) always go in. */
export const OPTIONAL_FEATURES: readonly BridgeFeature[] = ALL_FEATURES.filter(
  (f) => f !== 'match channels' && f !== 'moves',
);

export function invitePermissions(features: readonly BridgeFeature[] = ALL_FEATURES): bigint {
  return BOT_PERMISSIONS.filter((n) => features.includes(n.feature)).reduce((all, n) => all | n.bit, 0n);
}

/** The permissions of `bits`, by Discord's name, in the table's order. */
export function permissionNames(bits: bigint): string[] {
  return PERMISSION_NAMES.filter(([bit]) => (bits & bit) !== 0n).map(([, name]) => name);
}

/** Discord's OAuth2 URL that adds the bot with its slash commands and `permissions`. */
export function inviteUrl(applicationId: string, permissions: bigint): string {
  const q = new URLSearchParams({
    client_id: applicationId,
    scope: 'bot applications.commands',
    permissions: permissions.toString(),
  });
  return `https://discord.com/oauth2/authorize?${q}`;
}
