import { createLogger, VoiceStates } from '@bridge/core';
import { cleanupPrefix, REDIS_URL, testPrefix, waitFor } from '@bridge/testbed';
import type { Client, GatewayDispatchPayload } from 'discord.js';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { dispatchTo } from '../src/gateway/dispatch.ts';

// What a held shard's events become, against a real Redis voice mirror: a shard coming up costs nothing
// per guild beyond the mirror, a guild added later is a join, a voice connect is handed on as a plain move.
const prefix = testPrefix('dispatch');
const redis = new Redis(REDIS_URL);
afterAll(async () => {
  redis.disconnect();
  await cleanupPrefix(REDIS_URL, prefix);
});

const event = (t: string, d: unknown) => ({ op: 0, s: 1, t, d }) as unknown as GatewayDispatchPayload;
const guildCreate = (id: string, voice: [string, string][] = []) =>
  event('GUILD_CREATE', {
    id,
    name: `guild ${id}`,
    voice_states: voice.map(([user_id, channel_id]) => ({ user_id, channel_id })),
  });

describe('the shard dispatcher', () => {
  it('tells a shard coming up from a join, mirrors voice, and hands on connects only', async () => {
    const voice = new VoiceStates(redis, prefix);
    const seen: string[] = [];
    const handle = dispatchTo({
      // No interaction arrives in this test: the client is never used.
      client: {} as Client<true>,
      voice,
      log: createLogger({ name: 'test', level: 'silent' }),
      listeners: {
        ready: (shard, ids) => seen.push(`ready ${shard} ${ids.join(',')}`),
        joined: (g) => seen.push(`joined ${g.id} ${g.name}`),
        removed: (id) => seen.push(`removed ${id}`),
        voiceConnect: (m) => seen.push(`connect ${m.guildId} ${m.userId} ${m.to}`),
      },
    });
    // Each event is handled after its mirror write: what the listeners heard says how far the shard got.
    const until = (n: number) => waitFor(() => seen.length >= n, { what: `${n} events handed on` });
    handle(
      2,
      event('READY', {
        guilds: [
          { id: '100', unavailable: true },
          { id: '101', unavailable: true },
        ],
      }),
    );
    handle(2, guildCreate('100', [['u1', 'c1']]));
    handle(2, guildCreate('101'));
    // Not in READY's list: the bot was added.
    handle(2, guildCreate('102'));
    await until(2);
    expect(await voice.all('100')).toEqual(new Map([['u1', 'c1']]));
    // A member moving between channels is no connect; one coming into voice is; leaving is not.
    handle(2, event('VOICE_STATE_UPDATE', { guild_id: '100', user_id: 'u1', channel_id: 'c2' }));
    handle(2, event('VOICE_STATE_UPDATE', { guild_id: '100', user_id: 'u2', channel_id: 'c1' }));
    handle(2, event('VOICE_STATE_UPDATE', { guild_id: '100', user_id: 'u1', channel_id: null }));
    // An outage is no removal; a removal is.
    handle(2, event('GUILD_DELETE', { id: '101', unavailable: true }));
    handle(2, event('GUILD_DELETE', { id: '102' }));
    await until(4);
    expect(seen).toEqual(['ready 2 100,101', 'joined 102 guild 102', 'connect 100 u2 c1', 'removed 102']);
    expect(await voice.all('100')).toEqual(new Map([['u2', 'c1']]));
  });
});
