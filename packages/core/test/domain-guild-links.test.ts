import { describe, expect, it } from 'vitest';
import {
  type GlobalLink,
  guildAllowList,
  type LinkPolicy,
  linksInGuild,
  memberLinkState,
  operatorIds,
  type ServerLink,
  servesGuild,
} from '../src/index.ts';

const G = '100000000000000001';
const OTHER = '100000000000000002';
const [ALICE, BOB, MALLORY, CAROL] = [
  '200000000000000001',
  '200000000000000002',
  '200000000000000003',
  '200000000000000004',
];

const link = (discord: string, faceit: string, method: GlobalLink['verified_method']): GlobalLink => ({
  discord_id: discord,
  faceit_id: faceit,
  faceit_nickname: `${faceit}-nick`,
  verified_method: method,
});
const server = (guild: string, discord: string, faceit: string | null): ServerLink => ({
  guild_id: guild,
  discord_id: discord,
  faceit_id: faceit,
  faceit_nickname: faceit ? `${faceit}-nick` : null,
});

/** faceit → discord (and where it came from) in guild G. */
function inG(policy: LinkPolicy, links: GlobalLink[], overrides: ServerLink[] = []) {
  return Object.fromEntries(
    linksInGuild({ guildId: G, policy, links, overrides }).map((l) => [
      l.faceitId,
      `${l.discordId}:${l.source}`,
    ]),
  );
}

describe('linksInGuild: who is who in one server', () => {
  it.each<[string, LinkPolicy, GlobalLink[], ServerLink[], Record<string, string>]>([
    [
      'a verified link counts everywhere',
      'verified-only',
      [link(ALICE, 'fa', 'oauth')],
      [],
      { fa: `${ALICE}:verified` },
    ],
    [
      'an operator link counts as verified',
      'verified-only',
      [link(ALICE, 'fa', 'operator')],
      [],
      { fa: `${ALICE}:verified` },
    ],
    [
      'a nickname claim counts where allowed',
      'nickname-allowed',
      [link(BOB, 'fb', 'nickname')],
      [],
      { fb: `${BOB}:nickname` },
    ],
    [
      'a nickname claim admits nobody in a verified-only server',
      'verified-only',
      [link(MALLORY, 'fb', 'nickname')],
      [],
      {},
    ],
    [
      'a server link applies in its server, whatever the policy',
      'verified-only',
      [],
      [server(G, BOB, 'fb')],
      { fb: `${BOB}:server` },
    ],
    ['another server’s link does not apply here', 'nickname-allowed', [], [server(OTHER, MALLORY, 'fa')], {}],
    [
      'a server link never applies to a member with a verified link',
      'nickname-allowed',
      [link(ALICE, 'fa', 'oauth')],
      [server(G, ALICE, 'fx')],
      { fa: `${ALICE}:verified` },
    ],
    [
      'a server link never takes an account someone verified',
      'nickname-allowed',
      [link(ALICE, 'fa', 'oauth')],
      [server(G, MALLORY, 'fa')],
      { fa: `${ALICE}:verified` },
    ],
    [
      'a server "not linked here" hides a member’s nickname claim',
      'nickname-allowed',
      [link(BOB, 'fb', 'nickname')],
      [server(G, BOB, null)],
      {},
    ],
    [
      'a server "not linked here" cannot hide a verified link',
      'nickname-allowed',
      [link(ALICE, 'fa', 'oauth')],
      [server(G, ALICE, null)],
      { fa: `${ALICE}:verified` },
    ],
    [
      'a server link gives an account claimed by nickname to the member the server says',
      'nickname-allowed',
      [link(MALLORY, 'fb', 'nickname')],
      [server(G, BOB, 'fb')],
      { fb: `${BOB}:server` },
    ],
    [
      'a member with a server link is that account here, not their claim',
      'nickname-allowed',
      [link(BOB, 'fb', 'nickname'), link(CAROL, 'fc', 'nickname')],
      [server(G, BOB, 'fx')],
      { fx: `${BOB}:server`, fc: `${CAROL}:nickname` },
    ],
  ])('%s', (_name, policy, links, overrides, expected) => {
    expect(inG(policy, links, overrides)).toEqual(expected);
  });

  it('gives each account one member and each member one account', () => {
    const links = [link(ALICE, 'fa', 'oauth'), link(BOB, 'fb', 'nickname'), link(CAROL, 'fc', 'nickname')];
    const overrides = [server(G, CAROL, 'fb'), server(G, MALLORY, 'fa'), server(G, BOB, 'fd')];
    const got = linksInGuild({ guildId: G, policy: 'nickname-allowed', links, overrides });
    expect(new Set(got.map((l) => l.faceitId)).size).toBe(got.length);
    expect(new Set(got.map((l) => l.discordId)).size).toBe(got.length);
    expect(inG('nickname-allowed', links, overrides)).toEqual({
      fa: `${ALICE}:verified`,
      fb: `${CAROL}:server`,
      fd: `${BOB}:server`,
    });
  });
});

describe('memberLinkState: what /whoami says in a server', () => {
  it('tells a claim that does not count here, one hidden here, and one that counts', () => {
    const links = [link(BOB, 'fb', 'nickname')];
    expect(memberLinkState({ guildId: G, policy: 'verified-only', links, overrides: [] }, BOB)).toEqual({
      kind: 'claim-not-counted',
      nickname: 'fb-nick',
    });
    expect(
      memberLinkState(
        { guildId: G, policy: 'nickname-allowed', links, overrides: [server(G, BOB, null)] },
        BOB,
      ),
    ).toEqual({ kind: 'hidden-here', nickname: 'fb-nick' });
    expect(
      memberLinkState(
        { guildId: G, policy: 'nickname-allowed', links, overrides: [server(G, CAROL, 'fb')] },
        BOB,
      ),
    ).toEqual({ kind: 'hidden-here', nickname: 'fb-nick' });
    expect(
      memberLinkState({ guildId: G, policy: 'nickname-allowed', links, overrides: [] }, BOB),
    ).toMatchObject({
      kind: 'linked',
      link: { faceitId: 'fb', source: 'nickname' },
    });
    expect(
      memberLinkState({ guildId: G, policy: 'nickname-allowed', links: [], overrides: [] }, BOB),
    ).toEqual({
      kind: 'unlinked',
    });
  });
});

describe('guildAllowList: which servers one deployment serves', () => {
  it.each<[string, { bridgeGuilds?: 'any' | string[]; homeGuildId?: string }, string, boolean]>([
    ['neither set: any server', {}, OTHER, true],
    ['single-guild mode: its server', { homeGuildId: G }, G, true],
    ['single-guild mode: no other server', { homeGuildId: G }, OTHER, false],
    [
      'BRIDGE_GUILDS adds servers to single-guild mode',
      { homeGuildId: G, bridgeGuilds: [OTHER] },
      OTHER,
      true,
    ],
    ['BRIDGE_GUILDS keeps the home server', { homeGuildId: G, bridgeGuilds: [OTHER] }, G, true],
    ['BRIDGE_GUILDS alone: only those', { bridgeGuilds: [OTHER] }, G, false],
    [
      'BRIDGE_GUILDS=*: any server, even in single-guild mode',
      { homeGuildId: G, bridgeGuilds: 'any' },
      OTHER,
      true,
    ],
  ])('%s', (_name, opts, guildId, served) => {
    expect(servesGuild(guildAllowList(opts), guildId)).toBe(served);
  });
});

describe('operatorIds', () => {
  it('is the application owner, or its team, plus BRIDGE_OPERATOR_IDS', () => {
    expect([...operatorIds({ owner: { userId: ALICE }, configured: [BOB] })]).toEqual([ALICE, BOB]);
    expect([...operatorIds({ owner: { teamMemberIds: [ALICE, CAROL] } })]).toEqual([ALICE, CAROL]);
    expect([...operatorIds({ owner: null, configured: [BOB] })]).toEqual([BOB]);
  });
});
