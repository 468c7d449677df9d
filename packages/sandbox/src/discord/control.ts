/** HTTP control API under /_sandbox/discord/... mirroring the in-process API (for the demo and other processes). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DiscordEmulator } from './emulator.ts';
import { ApiError } from './errors.ts';
import type { FaultSpec } from './faults.ts';
import { readBody, sendJson } from './http.ts';
import type { InvokeCommandInput } from './interactions.ts';
import type { GuildSpec, MemberSpec } from './types.ts';

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

export async function handleControl(
  emu: DiscordEmulator,
  req: IncomingMessage,
  res: ServerResponse,
  path: string[],
  query: URLSearchParams,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const text = await readBody(req);
  let body: Body = {};
  try {
    body = text ? (JSON.parse(text) as Body) : {};
  } catch {
    sendJson(res, 400, { error: 'invalid JSON body' });
    return;
  }
  try {
    const out = await route(emu, method, path, body, query);
    if (out === undefined) sendJson(res, 204, undefined);
    else sendJson(res, out.status, out.body);
  } catch (err) {
    if (err instanceof ApiError) sendJson(res, err.status, err.toJSON());
    else if (err instanceof NotFound)
      sendJson(res, 404, { error: `no control route ${method} /${path.join('/')}` });
    else sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) });
  }
}

class NotFound extends Error {}

async function route(
  emu: DiscordEmulator,
  method: string,
  path: string[],
  body: Body,
  query: URLSearchParams,
): Promise<{ status: number; body: unknown } | undefined> {
  const [a, b, c, d] = path;
  const key = `${method} ${path.length > 0 ? a : ''}`;
  switch (key) {
    case 'GET info':
      return {
        status: 200,
        body: {
          url: emu.url,
          apiUrl: emu.apiUrl,
          gatewayUrl: emu.gatewayUrl,
          botToken: emu.botToken,
          applicationId: emu.applicationId,
          botUserId: emu.botUserId,
        },
      };
    case 'POST guilds':
      if (path.length === 1) return { status: 201, body: emu.seedGuild(body as GuildSpec) };
      if (path.length === 3 && c === 'members' && b) {
        return { status: 201, body: { userId: emu.addMember(b, body as unknown as MemberSpec) } };
      }
      break;
    case 'GET guilds':
      if (path.length === 3 && c === 'state' && b) return { status: 200, body: emu.state(b) };
      break;
    case 'PATCH guilds':
      if (path.length === 4 && c === 'members' && b && d) {
        emu.updateMember(b, d, body as { nick?: string | null; roles?: string[] });
        return undefined;
      }
      break;
    case 'DELETE guilds':
      if (path.length === 2 && b) {
        emu.removeBot(b);
        return undefined;
      }
      if (path.length === 4 && c === 'members' && b && d) {
        emu.removeMember(b, d);
        return undefined;
      }
      break;
    case 'POST voice': {
      const channelId = body.channelId === null ? null : str(body, 'channelId');
      emu.setVoice(str(body, 'guildId'), str(body, 'userId'), channelId);
      return undefined;
    }
    case 'PUT users':
      if (path.length === 3 && c === 'dms-closed' && b) {
        emu.setDmsClosed(b, body.closed !== false);
        return undefined;
      }
      break;
    case 'POST interactions': {
      const record = await emu.invokeCommand(body as unknown as InvokeCommandInput);
      return { status: 201, body: record.toJSON() };
    }
    case 'GET interactions': {
      if (path.length === 1) return { status: 200, body: emu.interactions() };
      const record = b ? emu.interaction(b) : undefined;
      if (!record) throw new BadRequest(`unknown interaction ${b}`);
      const wait = query.get('wait');
      if (wait === 'response') await record.waitForResponse(timeout(query));
      if (wait === 'reply') await record.waitForReply(timeout(query));
      return { status: 200, body: record.toJSON() };
    }
    case 'GET dms': {
      if (!b) break;
      const count = Number(query.get('count') ?? 0);
      if (count > 0) await emu.waitForDm(b, (m) => emu.dms(b).indexOf(m) >= count - 1, timeout(query));
      return { status: 200, body: emu.dms(b) };
    }
    case 'GET channels':
      if (path.length === 3 && c === 'messages' && b) return { status: 200, body: emu.channelMessages(b) };
      break;
    case 'POST faults':
      emu.setFault(faultFrom(body));
      return undefined;
    case 'DELETE faults':
      emu.clearFaults();
      return undefined;
    case 'POST latency': {
      const ms = body.ms;
      if (typeof ms !== 'number') throw new BadRequest('ms (number) is required');
      emu.setLatency(
        typeof body.routeRegex === 'string' ? new RegExp(body.routeRegex) : str(body, 'route'),
        ms,
      );
      return undefined;
    }
    case 'PUT channel-create-delay': {
      const ms = body.ms;
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)
        throw new BadRequest('ms (a number ≥ 0) is required');
      emu.setChannelCreateDelay(ms);
      return undefined;
    }
    case 'POST clock': {
      const ms = body.advanceMs;
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
        throw new BadRequest('advanceMs (number >= 0) is required');
      }
      emu.advanceClock(ms);
      return undefined;
    }
    case 'GET gateway':
      if (b === 'session-start-limit') return { status: 200, body: emu.sessionStartLimit() };
      break;
    case 'GET stats':
      return { status: 200, body: emu.stats() };
    case 'DELETE stats':
      emu.resetStats();
      return undefined;
    case 'GET sessions':
      return { status: 200, body: { sessions: emu.sessions() } };
    case 'POST gateway':
      if (b === 'drop') {
        return {
          status: 200,
          body: {
            dropped: emu.dropGatewayConnections(typeof body.code === 'number' ? body.code : undefined),
          },
        };
      }
      break;
  }
  throw new NotFound();
}
