import { createLogger, type WorkerConfig } from '@bridge/core';
import { type DiscordEmulator, startDiscordEmulator } from '@bridge/sandbox';
import type { Client } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operators } from '../src/access/operators.ts';
import { restClient } from '../src/discord/client.ts';

// The deployment's operators, read from Discord (a team-owned application in the emulator) through the real
// discord.js client, plus BRIDGE_OPERATOR_IDS.
let emu: DiscordEmulator;
let client: Client<true>;
beforeAll(async () => {
  emu = await startDiscordEmulator({
    applicationOwner: {
      team: {
        members: [
          { username: 'lead' },
          { username: 'admin2', role: 'admin' },
          { username: 'dev', role: 'developer' },
          { username: 'viewer', role: 'read_only' },
          { username: 'invited', role: 'admin', pending: true },
        ],
      },
    },
  });
  client = await restClient({ token: emu.botToken, apiUrl: emu.apiUrl });
});
afterAll(async () => {
  await client?.destroy();
  await emu?.close();
});

describe('operators', () => {
  it('are the team’s owner and its accepted Admin and Developer members, plus BRIDGE_OPERATOR_IDS; asked once, then cached', async () => {
    const config = { BRIDGE_OPERATOR_IDS: ['290000000000000001'] } as WorkerConfig;
    const log = createLogger({ name: 'test', level: 'silent' });
    const team = emu.applicationOwner().team;
    const before = emu.stats().byRoute['GET /applications/@me'] ?? 0;
    const ids = await operators({ client, config, log });
    expect([...ids].sort()).toEqual(
      [team.lead, team.admin2, team.dev, '290000000000000001'].map(String).sort(),
    );
    expect(ids.has(team.viewer as string)).toBe(false);
    expect(ids.has(team.invited as string)).toBe(false);
    await operators({ client, config, log });
    expect((emu.stats().byRoute['GET /applications/@me'] ?? 0) - before).toBe(1);
  });
});
