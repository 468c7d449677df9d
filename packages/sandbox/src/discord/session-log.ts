/**
 * Which gateway session was live (connected and identified or resumed) on which shard, and when: so a test
 * can check that no shard had two live sessions at once beyond a handover.
 */

/** One stretch of a session being connected: from IDENTIFY/RESUME to its socket closing (to: null = still live). */
export interface LiveInterval {
  from: number;
  to: number | null;
  via: 'identify' | 'resume';
  /** the close code that ended it (null while live, or when the emulator itself stopped) */
  closeCode: number | null;
}

export interface SessionLogEntry {
  sessionId: string;
  /** [shard_id, num_shards] as identified */
  shard: [number, number];
  live: LiveInterval[];
}

/** Two sessions of the same [shard_id, num_shards] live at once, for `ms` milliseconds. */
export interface ShardOverlap {
  shard: [number, number];
  sessions: [string, string];
  ms: number;
}

export class SessionLog {
  readonly #entries = new Map<string, SessionLogEntry>();

  started(sessionId: string, shard: [number, number], via: LiveInterval['via']): void {
    let e = this.#entries.get(sessionId);
    if (!e) {
      e = { sessionId, shard: [shard[0], shard[1]], live: [] };
      this.#entries.set(sessionId, e);
    }
    this.#close(e, null);
    e.live.push({ from: Date.now(), to: null, via, closeCode: null });
  }

  stopped(sessionId: string, closeCode: number | null): void {
    const e = this.#entries.get(sessionId);
    if (e) this.#close(e, closeCode);
  }

  entries(): SessionLogEntry[] {
    return structuredClone([...this.#entries.values()]);
  }

  #close(e: SessionLogEntry, closeCode: number | null): void {
    const last = e.live.at(-1);
    if (last && last.to === null) {
      last.to = Date.now();
      last.closeCode = closeCode;
    }
  }
}

/**
 * Every pair of distinct sessions of the same shard whose live intervals overlapped, with how long. Intervals
 * still open count as live up to `now`.
 */
export function shardOverlaps(entries: readonly SessionLogEntry[], now = Date.now()): ShardOverlap[] {
  const out: ShardOverlap[] = [];
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      const a = entries[i] as SessionLogEntry;
      const b = entries[j] as SessionLogEntry;
      if (a.shard[0] !== b.shard[0] || a.shard[1] !== b.shard[1]) continue;
      let ms = 0;
      for (const x of a.live) {
        for (const y of b.live) {
          const from = Math.max(x.from, y.from);
          const to = Math.min(x.to ?? now, y.to ?? now);
          if (to > from) ms += to - from;
        }
      }
      if (ms > 0) out.push({ shard: a.shard, sessions: [a.sessionId, b.sessionId], ms });
    }
  }
  return out;
}
