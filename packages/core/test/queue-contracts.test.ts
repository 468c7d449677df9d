import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cardFromMatch,
  dataApiMatchSchema,
  JOB_CATALOG,
  jobMatchSchema,
  MATCH_JOBS,
  planChannels,
} from '../src/index.ts';

const samples = join(import.meta.dirname, '../../../fixtures/faceit-samples');
/** Every Data API match among the samples (webhook payloads and player answers are left out). */
const dataApiMatches = readdirSync(samples)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.headers.json'))
  .map((f) => ({
    file: f,
    body: JSON.parse(readFileSync(join(samples, f), 'utf8')) as Record<string, unknown>,
  }))
  .filter(({ body }) => typeof body.match_id === 'string' && typeof body.teams === 'object');

/** A championship match with a playing substitute, a bench, a bye-free pass and odd values. */
const synthetic = {
  match_id: '1-4bd1a3a5-9f6a-4c2e-8a51-3f2f0c9e1d77',
  status: 'READY',
  competition_name: 'Spring Cup',
  faceit_url: 'https://www.faceit.com/{lang}/cs2/room/1-4bd1a3a5',
  voting: { map: { pick: ['de_mirage'], entities: [{ name: 'Mirage', image_lg: 'https://x/y.jpg' }] } },
  results: { winner: 'faction2', score: { faction1: 7, faction2: 13 } },
  teams: {
    faction1: {
      faction_id: 't1',
      name: 'Team One',
      avatar: 'https://cdn/a.png',
      roster: [
        {
          player_id: 'p1',
          nickname: 'one',
          avatar: 'https://cdn/p1.png',
          game_player_id: '76561198000000001',
          game_player_name: 'steam-one',
          membership: 'premium',
          memberships: ['premium'],
          game_skill_level: 9,
        },
      ],
      substitutes: [
        { player_id: 's1', nickname: 'sub-plays', playing: true, game_skill_level: 'ten' },
        { player_id: 's2', nickname: 'sub-bench', game_player_id: '76561198000000002' },
      ],
    },
    faction2: { faction_id: 'bye', name: 'bye', roster: [] },
  },
};

const matches = [...dataApiMatches, { file: 'synthetic', body: synthetic }];
const links = (m: { teams?: unknown }) =>
  new Map(
    JSON.stringify(m.teams)
      .match(/"player_id":"[^"]+"/g)
      ?.map((s, i) => [s.slice(13, -1), `10000000000000000${i}`] as const) ?? [],
  );

describe('jobMatchSchema: what a per-guild job carries of the match', () => {
  it('there are real samples to check against', () => {
    expect(dataApiMatches.length).toBeGreaterThan(0);
  });

  it.each(matches)('$file: no Steam id, avatar or membership is kept', ({ body }) => {
    const slim = JSON.stringify(jobMatchSchema.parse(dataApiMatchSchema.parse(body)));
    for (const field of ['game_player_id', 'game_player_name', 'avatar', 'membership', 'memberships']) {
      expect(slim).not.toContain(`"${field}"`);
    }
    expect(slim).not.toMatch(/7656119\d{10}/);
  });

  it.each(matches)(
    '$file: the channel plan and the card come out the same as from the whole match',
    ({ body }) => {
      const full = dataApiMatchSchema.parse(body);
      const slim = jobMatchSchema.parse(full);
      const ctx = {
        template: 'match-{short}-{team}',
        guildId: 'G',
        botUserId: 'BOT',
        staffRoleId: 'STAFF',
        spectatorRoleId: 'SPEC',
        links: links(full),
      };
      expect(planChannels(slim, ctx)).toEqual(planChannels(full, ctx));
      const channels = { faction1: 'C1', faction2: 'C2' };
      expect(cardFromMatch(slim, ctx.links, channels, ['100000000000000000'])).toEqual(
        cardFromMatch(full, ctx.links, channels, ['100000000000000000']),
      );
    },
  );

  it('a job queued with the whole match (an older worker) is still processed: the catalog strips it to the shape', () => {
    const old = {
      matchId: synthetic.match_id,
      event: 'match_status_ready',
      eventId: 'e1',
      transactionId: 't1',
      retryCount: 0,
      payloadVersion: 3,
      occurredAt: '2026-01-01T00:00:00Z',
      receivedAt: '2026-01-01T00:00:01Z',
      guildId: '100000000000000001',
      match: synthetic,
    };
    const parsed = JOB_CATALOG.matches.jobs[MATCH_JOBS.guildCreated].parse(old);
    expect(parsed.match.teams?.faction1?.roster?.[0]).toEqual({
      player_id: 'p1',
      nickname: 'one',
      game_skill_level: 9,
    });
    expect(JSON.stringify(parsed)).not.toContain('game_player_id');
  });
});
