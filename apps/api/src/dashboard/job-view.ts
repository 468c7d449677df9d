import type { BullMQAdapter } from '@bull-board/api/bullMQAdapter';

/** Keys whose values are secrets wherever they appear in job data or return values. */
const SECRET_KEY = /token|code|verifier|ticket|secret|password|authori[sz]ation|cookie|api.?key/i;
/**
 * Keys of a link result that pair a Discord account with a FACEIT account: the dashboard shows
 * neither side of the pair for `links` jobs.
 */
const IDENTITY_KEY = /discord|faceit|nickname|username|previous/i;
const HIDDEN = '[hidden]';

function scrub(value: unknown, hide: RegExp, depth = 0): unknown {
  if (depth > 8) return HIDDEN;
  if (Array.isArray(value)) return value.map((v) => scrub(v, hide, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, hide.test(k) ? HIDDEN : scrub(v, hide, depth + 1)]),
  );
}

/**
 * What Bull Board shows of a queue's jobs: data and return values without tokens, OAuth codes,
 * verifiers or tickets, and for `links` without the Discord ↔ FACEIT pairing a link result is.
 */
export function hideSecrets(adapter: BullMQAdapter, queueName: string): BullMQAdapter {
  const identity = queueName === 'links';
  const hide = identity ? new RegExp(`${SECRET_KEY.source}|${IDENTITY_KEY.source}`, 'i') : SECRET_KEY;
  adapter.setFormatter('data', (data) => scrub(data, hide));
  adapter.setFormatter('returnValue', (value) => scrub(value, hide));
  return adapter;
}
