import type { ChildProcess } from 'node:child_process';

/**
 * What this process set up outside itself — child processes, databases, Redis keys — and must remove
 * when it stops, however it stops: a test's `finally`, Ctrl-C in a terminal, SIGTERM, its parent dying.
 */
const children = new Set<ChildProcess>();
const cleanups = new Map<symbol, { what: string; run: () => Promise<unknown> }>();

/** Kills `child` with this process (see `killChildren`) until it exits. */
export function trackChild(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** Registers a cleanup for `stopEverything`; call the returned function once it has run on its own. */
export function deferCleanup(what: string, run: () => Promise<unknown>): () => void {
  const key = Symbol(what);
  cleanups.set(key, { what, run });
  return () => void cleanups.delete(key);
}

/** Resolves once `child` has exited, whether it did so before or after this call. */
export function childExited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SIGKILLs every tracked child and waits for them to exit (their resources can only go after them). */
export async function killChildren(): Promise<void> {
  const all = [...children];
  for (const child of all) child.kill('SIGKILL');
  await Promise.all(all.map(childExited));
}

// A harness that exits without cleaning up (a crash, a test run that timed out) still takes its
// children along; only SIGKILL of this process can orphan them.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/**
 * Kills every tracked child, then runs every registered cleanup (dropping databases, deleting Redis
 * keys), within `deadlineMs`. Returns what could not be removed, as a list of descriptions.
 */
export async function stopEverything(deadlineMs = 8_000): Promise<string[]> {
  const left = new Set([...cleanups.values()].map((c) => c.what));
  const work = (async () => {
    await killChildren();
    await Promise.all(
      [...cleanups].map(async ([key, c]) => {
        try {
          await c.run();
          cleanups.delete(key);
          left.delete(c.what);
        } catch {
          // reported through `left`
        }
      }),
    );
  })();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, deadlineMs);
  });
  await Promise.race([work, deadline]);
  clearTimeout(timer);
  return [...left];
}

export interface StopOnSignalsOptions {
  /** Where to say what is happening (a line each). */
  say: (msg: string) => void;
  /** Bound on the whole cleanup; past it the process exits anyway and names what is left. */
  deadlineMs?: number;
  /** Also stop when the parent process goes away (e.g. `pnpm` killed with SIGKILL), checked every second. */
  whenOrphaned?: boolean;
}

/**
 * Makes SIGINT, SIGTERM (and SIGHUP) stop this process cleanly: children killed, registered resources
 * removed, then exit 0 (1 when something could not be removed). Every later signal only says that the
 * stop is under way: one Ctrl-C in a terminal reaches this process several times (the terminal signals
 * the whole process group and `pnpm` forwards what it receives), and a repeated Ctrl-C must not abandon
 * the cleanup half-way. The cleanup itself is bounded, so the process still exits within seconds.
 */
export function stopOnSignals(opts: StopOnSignalsOptions): {
  stop: (reason: string) => Promise<never>;
  /** Once a signal (or `stop`) started the stop: the stop, which ends in `process.exit`. */
  stopping: () => Promise<never> | undefined;
} {
  let stopping: Promise<never> | undefined;
  const stop = (reason: string): Promise<never> => {
    if (stopping) {
      opts.say(`${reason}: already stopping, cleanup finishes within seconds`);
      return stopping;
    }
    opts.say(`${reason}: stopping …`);
    stopping = (async () => {
      const left = await stopEverything(opts.deadlineMs);
      if (left.length) opts.say(`stopped, but could not remove: ${left.join('; ')}`);
      else opts.say('stopped; nothing left behind');
      process.exit(left.length ? 1 : 0);
    })();
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(signal));
  if (opts.whenOrphaned) {
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) void stop('parent process gone');
    }, 1_000).unref();
  }
  return { stop, stopping: () => stopping };
}
