import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventLabel, jobNameForEvent, matchJobId, matchJobOptions, parseWebhook } from '../src/index.ts';

const samplesDir = join(import.meta.dirname, '../../../fixtures/faceit-samples');
const deliveries = readdirSync(samplesDir).filter(
  (f) => f.startsWith('match_status_') && f.endsWith('.json'),
);

describe('webhook envelope schema', () => {
  it('finds the real delivery samples', () => {
    expect(deliveries.length).toBeGreaterThanOrEqual(2);
  });

  for (const file of deliveries) {
    it(`accepts the real delivery ${file} and keeps unknown fields`, () => {
      const body = JSON.parse(readFileSync(join(samplesDir, file), 'utf8'));
      const parsed = parseWebhook(body);
      expect(parsed.kind).toBe('match');
      if (parsed.kind !== 'match') return;
      expect(parsed.payload.id).toBe(body.payload.id);
      expect(parsed.envelope.third_party_id).toBe(body.third_party_id);
      // unknown-to-us fields survive parsing
      const payload = parsed.payload as typeof body.payload;
      expect(payload.organizer_id).toBe(body.payload.organizer_id);
      expect(payload.teams[0].roster[0].game_skill_level).toBe(
        body.payload.teams[0].roster[0].game_skill_level,
      );
    });
  }

  it('names the missing field', () => {
    const body = JSON.parse(readFileSync(join(samplesDir, deliveries[0]!), 'utf8'));
    delete body.event_id;
    const parsed = parseWebhook(body);
    expect(parsed).toEqual({ kind: 'invalid', issues: [expect.objectContaining({ path: 'event_id' })] });
  });

  it('bounds every envelope string and names the field that is too long', () => {
    const body = JSON.parse(readFileSync(join(samplesDir, deliveries[0]!), 'utf8'));
    for (const [field, max] of Object.entries({
      transaction_id: 128,
      event: 64,
      event_id: 128,
      third_party_id: 128,
      app_id: 128,
      timestamp: 64,
    })) {
      expect(parseWebhook({ ...body, [field]: 'x'.repeat(max) }).kind, field).not.toBe('invalid');
      expect(parseWebhook({ ...body, [field]: 'x'.repeat(max + 1) })).toEqual({
        kind: 'invalid',
        issues: [{ path: field, message: `must be at most ${max} characters` }],
      });
    }
  });

  it('labels metrics with the match events by name and every other name as other', () => {
    expect(eventLabel('match_status_ready')).toBe('match_status_ready');
    expect(eventLabel('hub_user_added')).toBe('other');
    expect(eventLabel('x'.repeat(64))).toBe('other');
  });

  it('rejects a payload that is not an object', () => {
    const body = JSON.parse(readFileSync(join(samplesDir, deliveries[0]!), 'utf8'));
    for (const payload of ['x', [1], null]) {
      const parsed = parseWebhook({ ...body, payload });
      expect(parsed).toEqual({ kind: 'invalid', issues: [expect.objectContaining({ path: 'payload' })] });
    }
  });

  it('rejects a match id that could not be a job id', () => {
    const body = JSON.parse(readFileSync(join(samplesDir, deliveries[0]!), 'utf8'));
    body.payload.id = 'evil:id';
    const parsed = parseWebhook(body);
    expect(parsed.kind).toBe('invalid');
    if (parsed.kind === 'invalid') expect(parsed.issues[0]?.path).toBe('payload.id');
  });

  it('ignores events the bridge does not act on, whatever their payload', () => {
    const parsed = parseWebhook({
      transaction_id: 't',
      event: 'hub_user_added',
      event_id: 'e',
      timestamp: '2024-01-01T00:00:00Z',
      retry_count: 0,
      version: 1,
      payload: { hub: 'x' },
    });
    expect(parsed.kind).toBe('ignored');
  });

  it('maps events to jobs and deterministic ids', () => {
    expect(jobNameForEvent('match_object_created')).toBe('matchCreated');
    expect(jobNameForEvent('match_status_configuring')).toBe('matchCreated');
    expect(jobNameForEvent('match_status_ready')).toBe('matchCreated');
    expect(jobNameForEvent('match_status_finished')).toBe('matchFinished');
    expect(jobNameForEvent('match_status_cancelled')).toBe('matchFinished');
    expect(jobNameForEvent('match_status_aborted')).toBe('matchFinished');
    expect(matchJobId('1-abc', 'match_status_ready')).toBe(matchJobId('1-abc', 'match_status_ready'));
    expect(matchJobId('1-abc', 'match_status_ready')).not.toContain(':');
  });

  it('ready and ending matches run before matches only being set up', () => {
    const table = [
      ['match_object_created', 10],
      ['match_status_configuring', 10],
      ['match_status_ready', undefined],
      ['match_status_finished', undefined],
      ['match_status_cancelled', undefined],
      ['match_status_aborted', undefined],
    ] as const;
    for (const [event, priority] of table) {
      expect(matchJobOptions('1-abc', event)).toEqual({
        jobId: matchJobId('1-abc', event),
        ...(priority ? { priority } : {}),
      });
    }
  });
});
