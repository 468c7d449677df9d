import { createHash, timingSafeEqual } from 'node:crypto';

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/**
 * A constant-time check against one secret. Both sides are hashed so timingSafeEqual gets
 * equal-length buffers and the length of the expected secret does not leak either; the expected
 * side is hashed once, not per request.
 */
export function secretMatcher(expected: string): (provided: string) => boolean {
  const want = sha256(expected);
  return (provided) => timingSafeEqual(sha256(provided), want);
}
