// One worker copy's gateway part as a process of its own, for the shard tests (they SIGKILL it): a
// ShardOwner mirroring voice states to Redis, configured from the environment, stopped by SIGTERM.
import { createLogger, VoiceStates } from '@bridge/core';
import { GatewayIntentBits, REST } from 'discord.js';
import { Redis } from 'ioredis';
import { resolveShardCount } from '../src/gateway/shard-count.ts';
import { ShardOwner } from '../src/gateway/shard-owner.ts';
import { mirrorVoice } from '../src/gateway/voice-mirror.ts';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};
const log = createLogger({ name: 'shard-copy', level: 'info' });
const redis = new Redis(env('REDIS_URL'), { maxRetriesPerRequest: null });
const rest = new REST({ api: env('DISCORD_API_URL'), timeout: 30_000 }).setToken(env('DISCORD_TOKEN'));
const prefix = env('QUEUE_PREFIX');
const voice = new VoiceStates(redis, prefix);
const owner = new ShardOwner({
  redis,
  prefix,
  copyId: env('COPY_ID'),
  token: env('DISCORD_TOKEN'),
  intents: GatewayIntentBits.Guilds | GatewayIntentBits.GuildVoiceStates,
  rest,
  shardCount: await resolveShardCount(rest, Number(process.env.DISCORD_SHARD_COUNT) || undefined),
  leaseMs: Number(env('LEASE_MS')),
  identifyFloor: 1,
  log,
  onDispatch: (shardId, data) => {
    void mirrorVoice(voice, data).catch((err: Error) =>
      log.error({ shardId, err: err.message }, 'mirror failed'),
    );
  },
});
await owner.start();
log.info({ copy: owner.copyId, held: owner.held() }, 'copy started');
process.on('SIGTERM', () => {
  void owner.stop().then(() => {
    log.info({ copy: owner.copyId }, 'copy stopped');
    redis.disconnect();
    process.exit(0);
  });
});
