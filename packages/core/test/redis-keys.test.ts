import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { bullPrefix, intakeKey, linkTicketKey, oauthStateKey, redisKey } from '../src/index.ts';

// Neither client connects (lazyConnect): key names depend only on whether the client is a cluster's.
const single = new Redis({ lazyConnect: true });
const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
afterAll(() => {
  single.disconnect();
  cluster.disconnect();
});

describe('Redis key names', () => {
  it('on a single Redis are what they were before cluster support (an upgrade finds its keys)', () => {
    expect(intakeKey(single, 'bull')).toBe('bull:intake:matches');
    expect(redisKey(single, 'bull', 'faceit-rate')).toBe('bull:faceit-rate');
    expect(redisKey(single, 'bull', 'faceit-rate', 'interactive')).toBe('bull:faceit-rate:interactive');
    expect(redisKey(single, 'bull', 'command-limits', 'register', '42')).toBe(
      'bull:command-limits:register:42',
    );
    expect(oauthStateKey(single, 'bull', 'abc')).toMatch(/^bull:oauth:state:[0-9a-f]{64}$/);
    expect(linkTicketKey(single, 'bull', 't1')).toBe('bull:oauth:ticket:t1');
    expect(bullPrefix(single, 'bull', 'matches')).toBe('bull');
  });

  it('on a cluster carry one hash tag per group, and a queue prefix its queue’s tag', () => {
    expect(intakeKey(cluster, 'bull')).toBe('bull:{intake}:matches');
    expect(redisKey(cluster, 'bull', 'faceit-rate')).toBe('bull:{faceit-rate}');
    expect(redisKey(cluster, 'bull', 'faceit-rate', 'interactive')).toBe('bull:{faceit-rate}:interactive');
    expect(redisKey(cluster, 'bull', 'command-limits', 'register', '42')).toBe(
      'bull:{command-limits}:register:42',
    );
    expect(oauthStateKey(cluster, 'bull', 'abc')).toMatch(/^bull:\{oauth\}:state:[0-9a-f]{64}$/);
    expect(linkTicketKey(cluster, 'bull', 't1')).toBe('bull:{oauth}:ticket:t1');
    expect(bullPrefix(cluster, 'bull', 'matches')).toBe('bull:{matches}');
  });
});
