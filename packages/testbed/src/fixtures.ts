/**
 * vitest fixtures. Against the shared Redis, each test gets a key prefix of its own (every key under
 * it deleted afterwards) and connections that are closed when it ends, pass or fail.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, test } from 'vitest';
import { cleanupPrefix, REDIS_URL, testPrefix } from './redis.ts';
import { type Stack, type StackOptions, startStack } from './stack.ts';

export interface RedisFixtures {
  /** A BullMQ/key prefix no other test uses; removed with its keys after the test. */
  prefix: string;
  /** A new connection to REDIS_URL, disconnected after the test. */
  connect: () => Redis;
}

export const redisTest = test.extend<{ $test: RedisFixtures }>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads which fixtures a fixture needs from this pattern
  prefix: async ({}, use) => {
    const prefix = testPrefix();
    await use(prefix);
    await cleanupPrefix(REDIS_URL, prefix);
  },
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads which fixtures a fixture needs from this pattern
  connect: async ({}, use) => {
    const opened: Redis[] = [];
    await use(() => {
      const redis = new Redis(REDIS_URL);
      opened.push(redis);
      return redis;
    });
    for (const redis of opened) redis.disconnect();
  },
});

/** Starts the stack before the file's (or block's) first test, runs `setUp`, stops it after the last. */
function startedOnce(opts: StackOptions, setUp?: (stack: Stack) => Promise<void> | void): () => Stack {
  let started: Stack | undefined;
  beforeAll(async () => {
    started = await startStack(opts);
    await setUp?.(started);
  });
  afterAll(async () => {
    await started?.stop();
  });
  return () => {
    if (!started) throw new Error('the stack did not start (see the beforeAll error)');
    return started;
  };
}

/**
 * `stack`: the whole bridge (startStack with `opts`), started once before the file's first test and
 * stopped after its last; `setUp` runs once after the start (seeding what every test of the file shares).
 * Started in a hook rather than in the first test that asks for it: a start on a loaded machine can take
 * most of a test's time limit, and hooks have their own, longer one (hookTimeout). Call it at the top level
 * of a test file (or of a describe block, for a stack of that block's own).
 */
export function stackTest(opts: StackOptions = {}, setUp?: (stack: Stack) => Promise<void> | void) {
  const started = startedOnce(opts, setUp);
  return test.extend<{ stack: Stack }>({
    // biome-ignore lint/correctness/noEmptyPattern: vitest reads which fixtures a fixture needs from this pattern
    stack: async ({}, use) => {
      await use(started());
    },
  });
}

/**
 * The stack of stackTest for a file whose helpers all work on that one stack: the same start and stop,
 * and a `Stack` that stands for the started one (reading it before the start throws), to use at the top
 * level of the file.
 */
export function sharedStack(opts: StackOptions = {}, setUp?: (stack: Stack) => Promise<void> | void): Stack {
  const started = startedOnce(opts, setUp);
  return new Proxy({} as Stack, { get: (_, key) => Reflect.get(started(), key) });
}
