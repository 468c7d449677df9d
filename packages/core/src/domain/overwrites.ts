import type { Overwrite } from './channel-plan.ts';

export interface OverwriteDiff {
  /** Overwrites to add or change (desired value). */
  upsert: Overwrite[];
  /** Ids of overwrites to remove (stale: a substituted player). */
  remove: string[];
}

/** What must change so that `actual` becomes `desired`; empty when they already agree. */
export function diffOverwrites(desired: readonly Overwrite[], actual: readonly Overwrite[]): OverwriteDiff {
  const have = new Map(actual.map((o) => [o.id, o]));
  const want = new Set(desired.map((o) => o.id));
  return {
    upsert: desired.filter((o) => {
      const a = have.get(o.id);
      return !a || a.allow !== o.allow || a.deny !== o.deny || a.type !== o.type;
    }),
    remove: actual.filter((o) => !want.has(o.id)).map((o) => o.id),
  };
}

export function isEmptyDiff(diff: OverwriteDiff): boolean {
  return diff.upsert.length === 0 && diff.remove.length === 0;
}
