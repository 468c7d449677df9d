/**
 * Every Redis key of the gateway's coordination, built here only, under the deployment's prefix. The shard
 * leases, the copy list, the session infos and the identify slots share one hash tag (the prefix's own if it
 * has one, else `{gateway}`), so the scripts that touch several of them stay in one Redis Cluster slot; voice
 * states are read and written with single-key commands.
 */
export function gatewayKeys(prefix: string) {
  const tag = /\{[^}]+\}/.test(prefix) ? `${prefix}:gateway` : `${prefix}:{gateway}`;
  return {
    /** sorted set: copy id → heartbeat expiry (ms, Redis clock) */
    copies: `${tag}:copies`,
    /** string: the copy holding the shard, with the lease's expiry as TTL */
    lease: (shard: number) => `${tag}:lease:${shard}`,
    /** string: the shard's session info (JSON) for RESUME, whichever copy holds it next */
    session: (shard: number) => `${tag}:session:${shard}`,
    /** string with TTL: set while an IDENTIFY of this max_concurrency bucket is within its 5 s */
    identifySlot: (bucket: number) => `${tag}:identify:${bucket}`,
    /** hash: user id → voice channel id, written by the owner of the guild's shard */
    voice: (guildId: string) => `${prefix}:voice:${guildId}`,
  };
}

export type GatewayKeys = ReturnType<typeof gatewayKeys>;
