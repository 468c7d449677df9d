import { type ChildProcess, spawn } from 'node:child_process';
import { trackChild } from './cleanup.ts';
import { waitFor } from './wait.ts';

export interface AppProcess {
  child: ChildProcess;
  /** Every stdout line parsed as JSON (pino), or `{ raw }` for lines that are not JSON. */
  lines: Record<string, unknown>[];
  stderr: string[];
  waitForLine(
    predicate: (line: Record<string, unknown>) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * Runs one of the apps as a real child process (`node [nodeArgs] <entry> [args]`) with exactly the
 * given environment.
 */
export function startAppProcess(
  entry: string,
  env: Record<string, string>,
  opts: { cwd?: string; args?: string[]; nodeArgs?: string[] } = {},
): AppProcess {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), entry, ...(opts.args ?? [])], {
    cwd: opts.cwd,
    // `test`: JSON logs as in production, without production's refusal of the emulators' http and
    // loopback URLs (config/worker.ts).
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Killed with this process, so no API or worker outlives the test run or demo that started it.
  trackChild(child);
  const lines: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  let buf = '';
  child.stdout?.on('data', (d) => {
    buf += String(d);
    let i = buf.indexOf('\n');
    while (i >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim()) {
        try {
          lines.push(JSON.parse(line));
        } catch {
          lines.push({ raw: line });
        }
      }
      i = buf.indexOf('\n');
    }
  });
  child.stderr?.on('data', (d) => stderr.push(String(d)));
  const exited = new Promise<number | string>((resolve) =>
    // 'close', not 'exit': by then stdout has been read to the end.
    child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return {
    child,
    lines,
    stderr,
    exited,
    waitForLine: (predicate, what, timeoutMs = 60_000) =>
      waitFor(
        () => {
          if (child.exitCode !== null)
            throw new Error(`process exited ${child.exitCode}: ${stderr.join('')}`);
          return lines.find(predicate);
        },
        { what, timeoutMs },
      ),
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
