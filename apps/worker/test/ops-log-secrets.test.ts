import { createProducerRedis, linkStartKey, oauthStateKey, type RedisClient } from '@bridge/core';
import {
  consent,
  linkButtonUrl,
  openStart,
  type PrivateRedis,
  type Stack,
  startPrivateRedis,
  startStack,
  waitFor,
} from '@bridge/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Secrets reach no log line whatever fails: the errors are provoked for real (a Redis that is out of
// memory, Discord refusing an interaction's webhook) and every line both processes wrote is searched.

let redisServer: PrivateRedis;
let stack: Stack;
let redis: RedisClient;

beforeAll(async () => {
  redisServer = await startPrivateRedis();
  stack = await startStack({
    redisUrl: redisServer.url,
    guild: { members: [{ username: 'alice' }, { username: 'bob' }, { username: 'carol' }] },
  });
  redis = createProducerRedis(redisServer.url);
  await waitFor(() => redis.status === 'ready', { what: 'redis ready' });
  await redis.config('SET', 'maxmemory-policy', 'noeviction');
});

afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
  await redisServer?.stop();
});

/** Redis refuses every write that needs memory (OOM), as a full Redis under `noeviction` does. */
async function outOfMemory<T>(during: () => Promise<T>): Promise<T> {
  const used = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
  await redis.config('SET', 'maxmemory', String(Math.floor(used / 2)));
  try {
    return await during();
  } finally {
    await redis.config('SET', 'maxmemory', '0');
  }
}

/** Everything the API and the worker wrote, stdout and stderr, as one text. */
function everything(): string {
  return [...stack.apis.map((a) => a.proc), ...stack.workers]
    .map((p) => `${p.lines.map((l) => JSON.stringify(l)).join('\n')}\n${p.stderr.join('')}`)
    .join('\n');
}

/** The first line a process writes at error level with this message (stdout arrives asynchronously). */
function errorLine(proc: Stack['workers'][number], msg: string) {
  return proc.waitForLine((l) => l.msg === msg && Number(l.level) >= 50, msg);
}

describe('no secret in any log line, whatever fails', () => {
  it('a Redis write failure on the link start page: the verifier and state stay out of the log', async () => {
    const { url } = await linkButtonUrl(stack, stack.guild.members.alice!);
    const start = JSON.parse(
      (await redis.get(linkStartKey(redis, stack.prefix, url.searchParams.get('t')!))) ?? '{}',
    );
    expect(start.verifier).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    const res = await outOfMemory(() => openStart(url));
    expect(res.status).toBe(503);
    expect(res.html).toContain('Try again in a minute');
    const api = stack.apis[0]!.proc;
    const line = await errorLine(api, 'link start: redis write failed');
    expect((line?.err as { message?: string })?.message).toMatch(/^OOM/);
    expect((line?.err as { command?: unknown })?.command).toEqual({ name: 'set', args: '[redacted]' });
    const text = everything();
    expect(text).not.toContain(start.verifier);
    expect(text).not.toContain(start.state);
    expect(text).not.toContain(url.searchParams.get('t'));
  });

  it('a Redis write failure on the OAuth callback: the code and the verifier stay out of the log', async () => {
    stack.faceit.seedPlayer({ nickname: 'BobFaceit' });
    const { url } = await linkButtonUrl(stack, stack.guild.members.bob!);
    const started = await openStart(url);
    expect(started.status).toBe(200);
    const authorizeUrl = started.authorizeUrl!;
    const state = authorizeUrl.searchParams.get('state')!;
    const pending = JSON.parse((await redis.get(oauthStateKey(redis, stack.prefix, state))) ?? '{}');
    expect(pending.verifier).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    const callback = consent(stack, authorizeUrl, { nickname: 'BobFaceit' });
    const code = callback.searchParams.get('code')!;
    const res = await outOfMemory(() =>
      fetch(`${stack.apiUrl}${callback.pathname}${callback.search}`, { headers: { cookie: started.cookie } }),
    );
    expect(res.status).toBe(503);
    const api = stack.apis[0]!.proc;
    const line = await errorLine(api, 'oauth callback: redis write failed');
    expect((line.err as { command?: unknown }).command).toEqual({ name: 'set', args: '[redacted]' });
    const text = everything();
    for (const secret of [code, pending.verifier, state]) expect(text).not.toContain(secret);
  });

  it("a Redis write failure in the worker's /link: no verifier, state or authorize URL in its log", async () => {
    const reply = await outOfMemory(async () => {
      const record = await stack.discord.invokeCommand({
        guildId: stack.guildId,
        userId: stack.guild.members.carol!,
        name: 'link',
      });
      return record.waitForReply();
    });
    expect(reply.content).toMatch(/went wrong/);
    const worker = stack.workers[0]!;
    const line = await errorLine(worker, 'command failed');
    expect((line.err as { message?: string })?.message).toMatch(/OOM/);
    const text = everything();
    expect(text).not.toMatch(/verifier\\*"\s*:\s*\\*"[A-Za-z0-9_-]{20,}/);
    expect(text).not.toMatch(/code_challenge=/);
    expect(text).not.toMatch(/state\\*"\s*:\s*\\*"[A-Za-z0-9_-]{20,}/);
  });

  it("Discord refusing an interaction's webhook: the interaction token stays out of the log, the error code shows", async () => {
    stack.discord.setFault({
      kind: 'status',
      status: 400,
      method: 'PATCH',
      route: /^PATCH \/webhooks\//,
      times: 1,
    });
    const record = await stack.discord.invokeCommand({
      guildId: stack.guildId,
      userId: stack.guild.members.alice!,
      name: 'whoami',
    });
    const worker = stack.workers[0]!;
    const line = await worker.waitForLine(
      (l) => l.msg === 'command failed' && l.interactionId === record.id,
      'the failed command',
    );
    const err = line.err as { url?: string; code?: unknown; status?: number; requestBody?: unknown };
    expect(err.status).toBe(400);
    expect(typeof err.code).toBe('number');
    expect(err.url, err.url).toMatch(/\/webhooks\/\d+\/:token\/messages\/(@|%40)original/);
    expect(err.requestBody).toBe('[redacted]');
    const text = everything();
    expect(text).not.toContain(record.token);
    expect(text).not.toContain(record.token.split(':').at(-1));
  });

  it('a gateway close code is logged as closeCode, readable', async () => {
    const worker = stack.workers[0]!;
    stack.discord.dropGatewayConnections(4014);
    const line = await worker.waitForLine((l) => l.msg === 'discord gateway disconnected', 'disconnect line');
    expect(line.closeCode).toBe(4014);
  });
});
