import { join } from 'node:path';
import { cleanupPrefix, freePort, REDIS_URL, startAppProcess, testPrefix } from '@bridge/testbed';
import { describe, expect, it } from 'vitest';

const entry = join(import.meta.dirname, '../src/main.ts');

describe('api process', () => {
  it('refuses to start without its webhook secret', async () => {
    const proc = startAppProcess(entry, { PORT: '0' });
    expect(await proc.exited).toBe(1);
    expect(proc.stderr.join('')).toMatch(/^api: FACEIT_WEBHOOK_SECRET: is required but not set$/m);
  });

  it('refuses to start with the placeholder webhook secret from .env.example', async () => {
    const proc = startAppProcess(entry, {
      PORT: '0',
      FACEIT_WEBHOOK_SECRET: 'change-me-to-a-long-random-string',
    });
    expect(await proc.exited).toBe(1);
    const stderr = proc.stderr.join('');
    expect(stderr).toMatch(/^api: FACEIT_WEBHOOK_SECRET: is still the placeholder from \.env\.example/m);
    expect(stderr).not.toContain('change-me-to-a-long-random-string');
  });

  it('serves from its environment, /metrics only on API_METRICS_PORT, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const metricsPort = await freePort();
    const prefix = testPrefix('api-process');
    const proc = startAppProcess(entry, {
      PORT: String(port),
      API_METRICS_PORT: String(metricsPort),
      HOST: '127.0.0.1',
      FACEIT_WEBHOOK_SECRET: 'process-test-secret-123',
      QUEUE_PREFIX: prefix,
    });
    try {
      const listening = await proc.waitForLine((l) => l.msg === 'api listening', 'api listening');
      expect(listening.metrics).toBe(`http://127.0.0.1:${metricsPort}/metrics`);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const res = await fetch(`http://127.0.0.1:${port}/faceit-webhook`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(401);
      // The public port has no /metrics; the internal one has nothing else.
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
      const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toMatch(
        /bridge_webhooks_total\{event="unknown",outcome="unauthorized",app="api"\} 1/,
      );
      for (const path of ['/healthz', '/faceit-webhook', '/admin/queues', '/metrics/']) {
        expect((await fetch(`http://127.0.0.1:${metricsPort}${path}`)).status, path).toBe(404);
      }
    } finally {
      expect(await proc.kill('SIGTERM')).toBe(0);
      await cleanupPrefix(REDIS_URL, prefix);
    }
    expect(JSON.stringify(proc.lines)).not.toContain('process-test-secret-123');
  });
});
