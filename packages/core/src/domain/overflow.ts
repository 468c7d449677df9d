/** A category the bridge may put match channels in: the configured one, then its overflow siblings. */
export interface CategoryInfo {
  id: string;
  name: string;
  children: number;
}

export type CategoryChoice = { use: string } | { create: string };

/** Overflow categories are "<base name> 2", "<base name> 3", … */
export function overflowName(baseName: string, n: number): string {
  return `${baseName} ${n}`;
}

export function overflowIndex(baseName: string, name: string): number | null {
  if (!name.startsWith(`${baseName} `)) return null;
  const n = Number(name.slice(baseName.length + 1));
  return Number.isInteger(n) && n >= 2 ? n : null;
}

/**
 * The first managed category with room (base first, then overflow in order), or the name of the next
 * overflow category to create. `full` holds ids Discord refused as full whatever the count says.
 */
export function chooseCategory(
  base: CategoryInfo,
  overflow: readonly CategoryInfo[],
  limit: number,
  full: ReadonlySet<string> = new Set(),
): CategoryChoice {
  const ordered = [
    base,
    ...[...overflow].sort(
      (a, b) => (overflowIndex(base.name, a.name) ?? 0) - (overflowIndex(base.name, b.name) ?? 0),
    ),
  ];
  const room = ordered.find((c) => c.children < limit && !full.has(c.id));
  if (room) return { use: room.id };
  const used = new Set(overflow.map((c) => overflowIndex(base.name, c.name)));
  let n = 2;
  while (used.has(n)) n++;
  return { create: overflowName(base.name, n) };
}
