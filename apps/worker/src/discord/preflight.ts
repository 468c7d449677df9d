import {
  ADMINISTRATOR,
  type BridgeFeature,
  channelPermissions,
  guildPermissions,
  invitePermissions,
  missingAt,
  OPTIONAL_FEATURES,
  type OverwriteBits,
  type PermissionPlace,
  type PermissionWorld,
  permissionNames,
} from '@bridge/core';
import { DiscordAPIError, REST, Routes } from 'discord.js';

/** One start-up check: what was checked, what was found, and what to do when it failed. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
  /** ok, but an optional feature works with less (what is lost is in `detail`) */
  warn?: boolean;
}

export interface DiscordPreflightInput {
  token: string;
  apiUrl: string;
  /** Unset (no DISCORD_GUILD_ID): guilds are set up with /setup, whose show checks their permissions. */
  guildId?: string | undefined;
  categoryId?: string | undefined;
  lobbyId?: string | undefined;
  /**
   * Without DISCORD_GUILD_ID: the guilds set up with /setup (their stored settings), each checked like
   * DISCORD_GUILD_ID's. Unset: not checked (the worker's start does not wait for every guild).
   */
  guilds?: readonly GuildTarget[] | undefined;
  /** fewer IDENTIFYs left than this: do not log in */
  identifyFloor: number;
}

/** A guild to check: the bot must be in it, with what the bridge needs in its category and lobby. */
export interface GuildTarget {
  guildId: string;
  categoryId?: string | undefined;
  lobbyId?: string | undefined;
}

/** How an operator names a guild's setting in a check: DISCORD_GUILD_ID's env variables, or /setup. */
interface Labels {
  /** Suffix of the check names ('' for DISCORD_GUILD_ID's, as before). */
  of: string;
  /** A channel as its setting names it, e.g. `VC_CATEGORY_ID=123`. */
  ref(setting: string, id: string): string;
  /** How to change a setting. */
  change(setting: string): string;
  guild: string;
  category: string;
  lobby: string;
  fixGuild: string;
}

const ENV_LABELS: Labels = {
  of: '',
  ref: (setting, id) => `${setting}=${id}`,
  change: (setting) => `fix ${setting}`,
  guild: 'DISCORD_GUILD_ID',
  category: 'VC_CATEGORY_ID',
  lobby: 'VC_LOBBY_CHANNEL_ID',
  fixGuild: 'invite the bot to the server (OAuth2 URL with the bot scope), or fix DISCORD_GUILD_ID',
};

const setupLabels = (guildId: string): Labels => ({
  of: ` of guild ${guildId}`,
  ref: (setting, id) => `${id} (set with ${setting})`,
  change: (setting) => `choose another with ${setting} in that server`,
  guild: 'guild_settings.guild_id',
  category: '/setup channels category:',
  lobby: '/setup channels lobby:',
  fixGuild: 'invite the bot to that server again (its settings stay until the bot is removed while running)',
});

interface RawOverwrite {
  id: string;
  type: number;
  allow: string;
  deny: string;
}

const apiCode = (err: unknown) => (err instanceof DiscordAPIError ? err.code : null);
const apiStatus = (err: unknown) => (err instanceof DiscordAPIError ? err.status : null);
const why = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * What can be checked over REST before a gateway session is opened (an IDENTIFY spends one of the 1000 a
 * day, and at 0 Discord resets the token): the token, the identify budget, the guild, and the bot's
 * permissions in the match category and the lobby. Never throws; every failure is a Check with a fix.
 */
export async function discordPreflight(input: DiscordPreflightInput): Promise<Check[]> {
  const rest = new REST({ api: input.apiUrl, timeout: 10_000, retries: 1 }).setToken(input.token);
  try {
    return await run(rest, input);
  } finally {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  }
}

async function run(rest: REST, input: DiscordPreflightInput): Promise<Check[]> {
  const checks: Check[] = [];
  let botId: string;
  try {
    const me = (await rest.get(Routes.user())) as { id: string; username: string };
    botId = me.id;
    checks.push({ name: 'token', ok: true, detail: `DISCORD_TOKEN is the bot ${me.username} (${me.id})` });
  } catch (err) {
    const bad = apiStatus(err) === 401;
    checks.push({
      name: 'token',
      ok: false,
      detail: bad ? 'Discord refuses DISCORD_TOKEN (401)' : `cannot reach Discord: ${why(err)}`,
      fix: bad
        ? 'reset the token in the developer portal (Bot → Reset Token) and set DISCORD_TOKEN; Discord also resets it when the daily IDENTIFY budget runs out'
        : 'check DISCORD_API_URL and the network',
    });
    const skipped = 'not checked: needs a working DISCORD_TOKEN';
    for (const name of ['identify budget', 'guild', 'permissions'])
      checks.push({ name, ok: false, detail: skipped });
    return checks;
  }
  checks.push(await identifyBudget(rest, input.identifyFloor));
  if (input.guildId) {
    const target = { guildId: input.guildId, categoryId: input.categoryId, lobbyId: input.lobbyId };
    checks.push(...(await guildChecks(rest, target, botId, ENV_LABELS)));
    return checks;
  }
  if (!input.guilds || input.guilds.length === 0) {
    const detail = input.guilds
      ? 'no DISCORD_GUILD_ID and no guild set up with /setup yet: invite the bot, then run /setup there'
      : 'no DISCORD_GUILD_ID: each guild is set up with /setup (/setup show checks its permissions)';
    checks.push({ name: 'guild', ok: true, detail }, { name: 'permissions', ok: true, detail });
    return checks;
  }
  for (const target of input.guilds) {
    checks.push(...(await guildChecks(rest, target, botId, setupLabels(target.guildId))));
  }
  return checks;
}

/** The bot is in the guild, with what the bridge needs in its match category and lobby. */
async function guildChecks(rest: REST, target: GuildTarget, botId: string, labels: Labels): Promise<Check[]> {
  const checks: Check[] = [];
  const { guildId } = target;
  let ownerId: string;
  try {
    const guild = (await rest.get(Routes.guild(guildId))) as {
      id: string;
      name: string;
      owner_id: string;
    };
    ownerId = guild.owner_id;
    checks.push({ name: `guild${labels.of}`, ok: true, detail: `the bot is in ${guild.name} (${guild.id})` });
  } catch (err) {
    const code = apiCode(err);
    const absent = code === 10004 || code === 50001 || apiStatus(err) === 403 || apiStatus(err) === 404;
    checks.push({
      name: `guild${labels.of}`,
      ok: false,
      detail: absent
        ? `the bot is not in guild ${labels.guild}=${guildId} (Discord ${code})`
        : `cannot read guild ${guildId}: ${why(err)}`,
      fix: labels.fixGuild,
    });
    checks.push({ name: `permissions${labels.of}`, ok: false, detail: 'not checked: needs the guild' });
    return checks;
  }
  checks.push(...(await permissions(rest, target, botId, ownerId, labels)));
  return checks;
}

async function identifyBudget(rest: REST, floor: number): Promise<Check> {
  try {
    const gw = (await rest.get(Routes.gatewayBot())) as {
      session_start_limit: { total: number; remaining: number; reset_after: number };
    };
    const { total, remaining, reset_after } = gw.session_start_limit;
    const resetIn = `${Math.ceil(reset_after / 60_000)} min`;
    if (remaining < floor) {
      return {
        name: 'identify budget',
        ok: false,
        detail: `only ${remaining} of ${total} IDENTIFYs left today (floor DISCORD_IDENTIFY_FLOOR=${floor}); the budget resets in ${resetIn}, and at 0 Discord resets the bot token`,
        fix: 'find what keeps restarting the worker (or logging in elsewhere with this token) and wait for the reset; the worker logs in by itself once the budget is back',
      };
    }
    return { name: 'identify budget', ok: true, detail: `${remaining} of ${total} IDENTIFYs left today` };
  } catch (err) {
    return {
      name: 'identify budget',
      ok: false,
      detail: `cannot read GET /gateway/bot: ${why(err)}`,
      fix: 'check DISCORD_API_URL and the network',
    };
  }
}

async function permissions(
  rest: REST,
  input: GuildTarget,
  botId: string,
  ownerId: string,
  labels: Labels,
): Promise<Check[]> {
  let world: PermissionWorld;
  try {
    const [roles, member] = (await Promise.all([
      rest.get(Routes.guildRoles(input.guildId)),
      rest.get(Routes.guildMember(input.guildId, botId)),
    ])) as [Array<{ id: string; permissions: string }>, { roles: string[] }];
    world = {
      guildId: input.guildId,
      ownerId,
      roles: new Map(roles.map((r) => [r.id, BigInt(r.permissions)])),
      memberRoles: member.roles,
      memberId: botId,
    };
  } catch (err) {
    return [
      { name: `permissions${labels.of}`, ok: false, detail: `cannot read the bot's roles: ${why(err)}` },
    ];
  }
  // Server level first: creating a channel whose overwrites allow or deny a bit needs that bit there.
  const server = guildPermissions(world);
  const roles = 'the bot role in Server Settings → Roles';
  const warned = new Set<BridgeFeature>();
  const out: Check[] = [
    permissionCheck(
      `permissions in the server${labels.of}`,
      // Without a category, match channels are created at the top level: the category's needs apply here.
      [
        ...new Set([
          ...missingAt(server, 'server'),
          ...(input.categoryId ? [] : missingAt(server, 'category')),
        ]),
      ],
      roles,
    ),
    ...optionalChecks(server, 'server', 'at server level', roles, labels, warned),
    inviteCheck(server, labels),
  ];
  if (!input.categoryId) {
    out.push(...optionalChecks(server, 'category', 'at server level', roles, labels, warned));
  }
  const places: Array<[string, string | undefined, PermissionPlace, string]> = [
    ['match category', input.categoryId, 'category', labels.category],
    ['lobby', input.lobbyId, 'lobby', labels.lobby],
  ];
  for (const [place, id, at, variable] of places) {
    if (!id) continue;
    let overwrites: OverwriteBits[];
    try {
      const channel = (await rest.get(Routes.channel(id))) as {
        type: number;
        permission_overwrites?: RawOverwrite[];
      };
      const wanted = place === 'match category' ? 4 : 2;
      if (channel.type !== wanted) {
        out.push({
          name: `permissions in the ${place}${labels.of}`,
          ok: false,
          detail: `${labels.ref(variable, id)} is not a ${wanted === 4 ? 'category' : 'voice channel'}`,
          fix: labels.change(variable),
        });
        continue;
      }
      overwrites = (channel.permission_overwrites ?? []).map((o) => ({
        id: o.id,
        type: o.type === 1 ? 'member' : 'role',
        allow: BigInt(o.allow),
        deny: BigInt(o.deny),
      }));
    } catch (err) {
      const code = apiCode(err);
      out.push({
        name: `permissions in the ${place}${labels.of}`,
        ok: false,
        detail:
          code === 50001
            ? `the bot cannot see the ${place} ${labels.ref(variable, id)} (Discord 50001)`
            : code === 10003
              ? `${labels.ref(variable, id)} is not a channel of this server (Discord 10003)`
              : `cannot read the ${place} ${id}: ${why(err)}`,
        fix:
          code === 10003
            ? labels.change(variable)
            : `give the bot role View Channel on the ${place} (Edit Channel → Permissions)`,
      });
      continue;
    }
    const have = channelPermissions(world, overwrites);
    const where = `the bot role on the ${place} ${labels.ref(variable, id)} (Edit Channel → Permissions)`;
    out.push(permissionCheck(`permissions in the ${place}${labels.of}`, missingAt(have, at), where));
    out.push(...optionalChecks(have, at, `in the ${place}`, where, labels, warned));
  }
  return out;
}

/**
 * The bot's server-level permissions against what `./run invite` asks for (the same table): the core ones are
 * checked above, here every optional feature's, as a warning naming the feature.
 */
function inviteCheck(server: bigint, labels: Labels): Check {
  const lacking = OPTIONAL_FEATURES.flatMap((f) => {
    const missing = permissionNames(invitePermissions([f]) & ~server);
    return (server & ADMINISTRATOR) === 0n && missing.length > 0 ? [`${f}: ${missing.join(', ')}`] : [];
  });
  const name = `invite permissions${labels.of}`;
  if (lacking.length === 0)
    return { name, ok: true, detail: 'the bot role has everything ./run invite asks for' };
  return {
    name,
    ok: true,
    warn: true,
    detail: `the bot role lacks, at server level, what ./run invite asks for: ${lacking.join('; ')} (granting them on the channels concerned works too)`,
    fix: 'grant them to the bot role in Server Settings → Roles, or add the bot again with the URL ./run invite prints',
  };
}

/** What each optional feature loses without its permissions at `place`. */
const LOST: Partial<Record<BridgeFeature, (place: string) => string>> = {
  'voice activity': (place) =>
    `team channels cannot grant players Use Voice Activity (the bot lacks it ${place}), so players whose roles do not give it must use push-to-talk`,
  'voice status': (place) =>
    `team channels get no status line (map and stage, shown when match cards are on): the bot lacks Set Voice Channel Status ${place}`,
};

/**
 * A warning per optional feature (voice activity, voice status) the bot cannot serve at `at`, unless an earlier
 * place already warned about it.
 */
function optionalChecks(
  have: bigint,
  at: PermissionPlace,
  placeText: string,
  where: string,
  labels: Labels,
  warned: Set<BridgeFeature>,
): Check[] {
  const out: Check[] = [];
  for (const [feature, lost] of Object.entries(LOST) as [BridgeFeature, (place: string) => string][]) {
    const missing = missingAt(have, at, [feature]);
    if (missing.length === 0 || warned.has(feature)) continue;
    warned.add(feature);
    out.push({
      name: `${feature}${labels.of}`,
      ok: true,
      warn: true,
      detail: lost(placeText),
      fix: `grant ${missing.join(', ')} to ${where}`,
    });
  }
  return out;
}

function permissionCheck(name: string, missing: string[], where: string): Check {
  return missing.length === 0
    ? { name, ok: true, detail: 'everything the bridge needs' }
    : {
        name,
        ok: false,
        detail: `the bot lacks ${missing.join(', ')}`,
        fix: `grant ${missing.join(', ')} to ${where}`,
      };
}

/** One line per failed check, for logs and /healthz. */
/**
 * A short stable code for the first failed check (token, identify_budget, guild, permissions), for the
 * `bridge_worker_problem` metric; null when none failed.
 */
export function failedCheckCode(checks: Check[]): string | null {
  const failed = checks.find((c) => !c.ok && !c.detail.startsWith('not checked'));
  if (!failed) return null;
  return /^(token|identify budget|guild|permissions)/.exec(failed.name)?.[1]?.replace(' ', '_') ?? 'check';
}

export function describeFailures(checks: Check[]): string {
  return checks
    .filter((c) => !c.ok && !c.detail.startsWith('not checked'))
    .map((c) => `${c.name}: ${c.detail}${c.fix ? ` (fix: ${c.fix})` : ''}`)
    .join('; ');
}
