import { type APIGatewayBotInfo, type REST, Routes } from 'discord.js';

/**
 * How many shards the gateway is split into: DISCORD_SHARD_COUNT when set (every copy must agree, and a
 * fixed count avoids resharding when the guild count crosses Discord's recommendation), else the `shards`
 * that `GET /gateway/bot` recommends.
 */
export async function resolveShardCount(rest: REST, configured: number | undefined): Promise<number> {
  if (configured) return configured;
  const info = (await rest.get(Routes.gatewayBot())) as APIGatewayBotInfo;
  return Math.max(1, info.shards);
}
