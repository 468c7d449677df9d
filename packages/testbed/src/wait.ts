import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Polls `check` until it returns a truthy value or the deadline passes. Tests wait on conditions
 * with this, never on fixed sleeps. The last error/value is in the timeout message.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  // The default bound is far above any condition's usual time: tests share a loaded 2-core machine.
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out waiting for ${opts.what ?? 'condition'} (last: ${detail})`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 25));
  }
}

/**
 * A TCP port free right now on 127.0.0.1 (for processes that cannot be told to pick port 0). Chosen at
 * random below the kernel's ephemeral range: a port from `listen(0)` comes from the range the kernel
 * also gives outgoing connections, so during a full test run (thousands of connections) it is often
 * taken again before the process it was meant for binds it.
 */
export async function freePort(): Promise<number> {
  const [low] = ephemeralRange();
  const from = Math.min(20_000, low - 2_000);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = from + Math.floor(Math.random() * (low - from));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port found in ${from}–${low - 1} after 50 tries`);
}

function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    if (Number(low) > 3_000) return [Number(low), Number(high)];
  } catch {
    // not Linux: the IANA dynamic range
  }
  return [49_152, 65_535];
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}
