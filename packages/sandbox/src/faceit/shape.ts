// Structural comparison against real payloads: every key of the sample must exist in the actual value with
// the same JSON type (recursively; arrays compare their first elements).

const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Paths where `actual` lacks a key of `sample` or has another JSON type. Empty when the shape matches. */
export function shapeProblems(sample: unknown, actual: unknown, path = '$'): string[] {
  const ks = kind(sample);
  const ka = kind(actual);
  if (ks !== ka) return [`${path}: expected ${ks}, got ${ka}`];
  if (ks === 'array') {
    const s = sample as unknown[];
    const a = actual as unknown[];
    if (s.length === 0) return [];
    if (a.length === 0) return [`${path}: expected a non-empty array`];
    return shapeProblems(s[0], a[0], `${path}[0]`);
  }
  if (ks === 'object') {
    const s = sample as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    return Object.keys(s).flatMap((key) =>
      key in a ? shapeProblems(s[key], a[key], `${path}.${key}`) : [`${path}.${key}: missing`],
    );
  }
  return [];
}
