import { PermissionFlagsBits as P } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import {
  DANGEROUS_MASK,
  dangerousPermissionNames,
  MATCH_ROLE_ALLOW_MAX,
  openRoleProblem,
  planChannels,
} from '../src/index.ts';

describe('dangerousPermissionNames', () => {
  it.each([
    ['nothing', 0n, []],
    [
      'what a member does for themselves',
      P.ViewChannel | P.SendMessages | P.Connect | P.Speak | P.Stream,
      [],
    ],
    ['Administrator', P.Administrator, ['Administrator']],
    ['Manage Server and Ban', P.ManageGuild | P.BanMembers, ['Manage Server', 'Ban Members']],
    ['Manage Roles among harmless ones', P.ManageRoles | P.ViewChannel, ['Manage Roles']],
    ['Timeout Members', P.ModerateMembers, ['Timeout Members']],
    ['Mention @everyone', P.MentionEveryone, ['Mention @everyone, @here and All Roles']],
    ['Move Members', P.MoveMembers, ['Move Members']],
  ])('%s', (_what, bits, names) => {
    expect(dangerousPermissionNames(bits)).toEqual(names);
  });

  it('covers every permission the issue names, and the brief list of Discord’s 2FA-protected ones', () => {
    const named = [
      P.Administrator,
      P.ManageGuild,
      P.ManageRoles,
      P.ManageChannels,
      P.ManageWebhooks,
      P.ManageMessages,
      P.ManageNicknames,
      P.KickMembers,
      P.BanMembers,
      P.ModerateMembers,
      P.MentionEveryone,
      P.ManageThreads,
      P.ManageGuildExpressions,
      P.ViewCreatorMonetizationAnalytics,
    ];
    for (const bit of named) expect(DANGEROUS_MASK & bit, `bit ${bit}`).toBe(bit);
    // Harmless ones stay allowed: a server's ordinary member roles usually carry them.
    for (const bit of [P.ViewChannel, P.SendMessages, P.Connect, P.Speak, P.ChangeNickname, P.UseVAD]) {
      expect(DANGEROUS_MASK & bit).toBe(0n);
    }
  });
});

describe('openRoleProblem', () => {
  const role = { id: 'R', guildId: 'G', managed: false };
  it.each([
    ['an ordinary role', role, null],
    ['@everyone', { ...role, id: 'G' }, /every member/],
    ['a managed role (bot, booster, subscription)', { ...role, managed: true }, /integration or a bot/],
    ['a linked role', { ...role, linkedRole: true }, /connecting an account/],
    ['a purchasable role', { ...role, purchasable: true }, /bought/],
  ])('%s', (_what, facts, expected) => {
    const problem = openRoleProblem(facts);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
  });
});

describe('the overwrites the bridge writes for staff and spectator roles', () => {
  it.each([false, true])(
    'allow nothing beyond joining and talking, and spectators may not speak (voice activity %s)',
    (voiceActivity) => {
      const match = {
        match_id: '1-4bd1a3a5-9f6a-4c2e-8a51-3f2f0c9e1d77',
        teams: {
          faction1: { roster: [{ player_id: 'fa' }] },
          faction2: { roster: [{ player_id: 'fb' }] },
        },
      };
      const plans = planChannels(match, {
        template: 'match-{short}-{faction}',
        guildId: 'G',
        botUserId: 'BOT',
        staffRoleId: 'STAFF',
        spectatorRoleId: 'SPEC',
        links: new Map(),
        voiceActivity,
      });
      expect(plans).toHaveLength(2);
      for (const plan of plans) {
        const staff = plan.overwrites.find((o) => o.id === 'STAFF');
        const spec = plan.overwrites.find((o) => o.id === 'SPEC');
        expect(staff?.type).toBe('role');
        expect(spec?.type).toBe('role');
        expect(staff!.allow & ~MATCH_ROLE_ALLOW_MAX).toBe(0n);
        expect(spec!.allow & ~MATCH_ROLE_ALLOW_MAX).toBe(0n);
        expect(staff!.allow & P.Speak).toBe(P.Speak);
        expect(spec!.allow & P.Speak).toBe(0n);
        expect(spec!.deny & P.Speak).toBe(P.Speak);
      }
    },
  );
});
