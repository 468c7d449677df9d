/** Discord snowflakes: ms since the Discord epoch shifted left 22 bits, strictly increasing per process. */
const DISCORD_EPOCH = 1420070400000n;
let last = 0n;

export function snowflake(now: number = Date.now()): string {
  const candidate = (BigInt(now) - DISCORD_EPOCH) << 22n;
  last = candidate > last ? candidate : last + 1n;
  return last.toString();
}

export function randomToken(bytes = 32): string {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  return Buffer.from(buf).toString('base64url');
}
