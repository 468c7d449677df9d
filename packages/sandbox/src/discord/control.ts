/** HTTP control API under /_sandbox/discord/... mirroring the in-process API (for the demo and other processes). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '../shared/http.ts';
import { Router } from '../shared/router.ts';
import { ApiError } from './errors.ts';
import type { FaultSpec } from './faults.ts';
import type { SessionStartLimit } from './gateway.ts';
import type { InteractionRecord, InteractionView } from './interactions.ts';
import { MAX_BODY } from './rest.ts';
import type { SessionLogEntry } from './session-log.ts';
import type { DiscordStats } from './stats.ts';
import type { DmRecord, GuildSpec, InvokeCommandInput, MemberSpec, StateSnapshot } from './types.ts';

type Body = Record<string, unknown>;

class BadRequest extends Error {}

function str(body: Body, field: string): string {
  const v = body[field];
  if (typeof v !== 'string' || v.length === 0) throw new BadRequest(`${field} (string) is required`);
  return v;
}

function timeout(query: URLSearchParams): number {
  const n = Number(query.get('timeoutMs') ?? 5000);
  return Number.isFinite(n) && n >= 0 ? n : 5000;
}

function faultFrom(body: Body): FaultSpec {
  const kind = body.kind;
  if (kind !== 'status' && kind !== 'ratelimit' && kind !== 'sublimit' && kind !== 'hang') {
    throw new BadRequest("kind must be 'status', 'ratelimit', 'sublimit' or 'hang'");
  }
  const route = typeof body.routeRegex === 'string' ? new RegExp(body.routeRegex) : str(body, 'route');
  const spec: FaultSpec = { route, kind };
  if (typeof body.method === 'string') spec.method = body.method;
  if (typeof body.status === 'number') spec.status = body.status;
  if (typeof body.retryAfter === 'number') spec.retryAfter = body.retryAfter;
  if (typeof body.global === 'boolean') spec.global = body.global;
  if (typeof body.times === 'number') spec.times = body.times;
  if (body.body !== undefined) spec.body = body.body;
  return spec;
}

/** The emulator as the control API drives it (declared here so this file need not import emulator.ts). */
export interface ControlTarget {
  readonly url: string;
  readonly apiUrl: string;
  readonly gatewayUrl: string;
  readonly botToken: string;
  readonly applicationId: string;
  readonly botUserId: string;
  seedGuild(spec: GuildSpec): unknown;
  addMember(guildId: string, spec: MemberSpec): string;
  state(guildId: string): StateSnapshot;
  updateMember(guildId: string, userId: string, patch: { nick?: string | null; roles?: string[] }): void;
  removeMember(guildId: string, userId: string): void;
  createRole(guildId: string, spec: { name: string; permissions?: string }): string;
  moveRole(guildId: string, roleId: string, position: number): void;
  setRolePermissions(guildId: string, roleId: string, permissions: string): void;
  /** The bot is removed from the guild (GUILD_DELETE to its sessions). */
  removeBot(guildId: string): void;
  setVoice(guildId: string, userId: string, channelId: string | null): void;
  setDmsClosed(userId: string, closed: boolean): void;
  invokeCommand(input: InvokeCommandInput): Promise<InteractionRecord>;
  interactions(): InteractionView[];
  interaction(id: string): InteractionRecord | undefined;
  dms(userId: string): DmRecord[];
  waitForDm(userId: string, predicate: (m: DmRecord) => boolean, timeoutMs: number): Promise<DmRecord>;
  channelMessages(channelId: string): unknown[];
  setFault(spec: FaultSpec): void;
  clearFaults(): void;
  setLatency(route: string | RegExp, ms: number): void;
  setChannelCreateDelay(ms: number): void;
  advanceClock(ms: number): void;
  sessionStartLimit(): SessionStartLimit;
  stats(): DiscordStats;
  resetStats(): void;
  sessions(): number;
  sessionLog(): SessionLogEntry[];
  dropGatewayConnections(code?: number): number;
}

interface ControlCtx {
  emu: ControlTarget;
  params: Record<string, string>;
  body: Body;
  query: URLSearchParams;
}

/** undefined = 204 No Content */
type ControlReply = { status: number; body: unknown } | undefined;

interface ControlRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** relative to /_sandbox/discord */
  path: string;
  run: (ctx: ControlCtx) => ControlReply | Promise<ControlReply>;
}

const ok = (body: unknown): ControlReply => ({ status: 200, body });
const created = (body: unknown): ControlReply => ({ status: 201, body });
/** Wraps an action that answers 204 No Content. */
const noContent = (_done: unknown): ControlReply => undefined;

const routes = new Router<ControlRoute>([
  {
    method: 'GET',
    path: '/info',
    run: ({ emu }) =>
      ok({
        url: emu.url,
        apiUrl: emu.apiUrl,
        gatewayUrl: emu.gatewayUrl,
        botToken: emu.botToken,
        applicationId: emu.applicationId,
        botUserId: emu.botUserId,
      }),
  },
  { method: 'POST', path: '/guilds', run: ({ emu, body }) => created(emu.seedGuild(body as GuildSpec)) },
  {
    method: 'POST',
    path: '/guilds/:guild/members',
    run: ({ emu, params, body }) =>
      created({ userId: emu.addMember(params.guild ?? '', body as unknown as MemberSpec) }),
  },
  {
    method: 'GET',
    path: '/guilds/:guild/state',
    run: ({ emu, params }) => ok(emu.state(params.guild ?? '')),
  },
  {
    method: 'PATCH',
    path: '/guilds/:guild/members/:user',
    run: ({ emu, params, body }) => {
      emu.updateMember(
        params.guild ?? '',
        params.user ?? '',
        body as { nick?: string | null; roles?: string[] },
      );
      return undefined;
    },
  },
  {
    method: 'POST',
    path: '/guilds/:guild/roles',
    run: ({ emu, params, body }) => {
      const permissions = typeof body.permissions === 'string' ? body.permissions : undefined;
      const spec = { name: str(body, 'name'), ...(permissions ? { permissions } : {}) };
      return created({ roleId: emu.createRole(params.guild ?? '', spec) });
    },
  },
  {
    method: 'PATCH',
    path: '/guilds/:guild/roles/:role',
    run: ({ emu, params, body }) => {
      const [guild, role] = [params.guild ?? '', params.role ?? ''];
      if (typeof body.permissions === 'string') emu.setRolePermissions(guild, role, body.permissions);
      else if (typeof body.position !== 'number') {
        throw new BadRequest('position (number) or permissions (string) is required');
      }
      if (typeof body.position === 'number') emu.moveRole(guild, role, body.position);
      return noContent(undefined);
    },
  },
  {
    method: 'DELETE',
    path: '/guilds/:guild',
    run: ({ emu, params }) => noContent(emu.removeBot(params.guild ?? '')),
  },
  {
    method: 'DELETE',
    path: '/guilds/:guild/members/:user',
    run: ({ emu, params }) => noContent(emu.removeMember(params.guild ?? '', params.user ?? '')),
  },
  {
    method: 'POST',
    path: '/voice',
    run: ({ emu, body }) => {
      const channelId = body.channelId === null ? null : str(body, 'channelId');
      emu.setVoice(str(body, 'guildId'), str(body, 'userId'), channelId);
      return undefined;
    },
  },
  {
    method: 'PUT',
    path: '/users/:user/dms-closed',
    run: ({ emu, params, body }) => noContent(emu.setDmsClosed(params.user ?? '', body.closed !== false)),
  },
  {
    method: 'POST',
    path: '/interactions',
    run: async ({ emu, body }) =>
      created((await emu.invokeCommand(body as unknown as InvokeCommandInput)).toJSON()),
  },
  { method: 'GET', path: '/interactions', run: ({ emu }) => ok(emu.interactions()) },
  {
    method: 'GET',
    path: '/interactions/:id',
    run: async ({ emu, params, query }) => {
      const record = emu.interaction(params.id ?? '');
      if (!record) throw new BadRequest(`unknown interaction ${params.id}`);
      const wait = query.get('wait');
      if (wait === 'response') await record.waitForResponse(timeout(query));
      if (wait === 'reply') await record.waitForReply(timeout(query));
      return ok(record.toJSON());
    },
  },
  {
    method: 'GET',
    path: '/dms/:user',
    run: async ({ emu, params, query }) => {
      const user = params.user ?? '';
      const count = Number(query.get('count') ?? 0);
      if (count > 0) await emu.waitForDm(user, (m) => emu.dms(user).indexOf(m) >= count - 1, timeout(query));
      return ok(emu.dms(user));
    },
  },
  {
    method: 'GET',
    path: '/channels/:channel/messages',
    run: ({ emu, params }) => ok(emu.channelMessages(params.channel ?? '')),
  },
  { method: 'POST', path: '/faults', run: ({ emu, body }) => noContent(emu.setFault(faultFrom(body))) },
  { method: 'DELETE', path: '/faults', run: ({ emu }) => noContent(emu.clearFaults()) },
  {
    method: 'POST',
    path: '/latency',
    run: ({ emu, body }) => {
      const ms = body.ms;
      if (typeof ms !== 'number') throw new BadRequest('ms (number) is required');
      emu.setLatency(
        typeof body.routeRegex === 'string' ? new RegExp(body.routeRegex) : str(body, 'route'),
        ms,
      );
      return undefined;
    },
  },
  {
    method: 'PUT',
    path: '/channel-create-delay',
    run: ({ emu, body }) => {
      const ms = body.ms;
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)
        throw new BadRequest('ms (a number ≥ 0) is required');
      emu.setChannelCreateDelay(ms);
      return undefined;
    },
  },
  {
    method: 'POST',
    path: '/clock',
    run: ({ emu, body }) => {
      const ms = body.advanceMs;
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
        throw new BadRequest('advanceMs (number >= 0) is required');
      }
      emu.advanceClock(ms);
      return undefined;
    },
  },
  { method: 'GET', path: '/gateway/session-start-limit', run: ({ emu }) => ok(emu.sessionStartLimit()) },
  { method: 'GET', path: '/stats', run: ({ emu }) => ok(emu.stats()) },
  { method: 'DELETE', path: '/stats', run: ({ emu }) => noContent(emu.resetStats()) },
  { method: 'GET', path: '/sessions', run: ({ emu }) => ok({ sessions: emu.sessions() }) },
  { method: 'GET', path: '/gateway/session-log', run: ({ emu }) => ok(emu.sessionLog()) },
  {
    method: 'POST',
    path: '/gateway/drop',
    run: ({ emu, body }) =>
      ok({ dropped: emu.dropGatewayConnections(typeof body.code === 'number' ? body.code : undefined) }),
  },
]);

export async function handleControl(
  emu: ControlTarget,
  req: IncomingMessage,
  res: ServerResponse,
  path: string[],
  query: URLSearchParams,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const text = await readBody(req, MAX_BODY);
  let body: Body = {};
  try {
    body = text ? (JSON.parse(text) as Body) : {};
  } catch {
    sendJson(res, 400, { error: 'invalid JSON body' });
    return;
  }
  const found = routes.match(method, path);
  if (found === null || found === 'method') {
    sendJson(res, 404, { error: `no control route ${method} /${path.join('/')}` });
    return;
  }
  try {
    const out = await found.def.run({ emu, params: found.params, body, query });
    if (out === undefined) sendJson(res, 204, undefined);
    else sendJson(res, out.status, out.body);
  } catch (err) {
    if (err instanceof ApiError) sendJson(res, err.status, err.toJSON());
    else sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) });
  }
}
