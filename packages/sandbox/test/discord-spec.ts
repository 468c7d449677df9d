/**
 * Discord's OpenAPI spec (`discord/discord-api-spec`, `specs/openapi.json`) for the operations the bridge calls,
 * and a recorder for what the emulator answers a real discord.js client.
 *
 * The response schemas are the Zod schemas of the npm package `discord-api-spec` (generated daily from that
 * file; version 10.0.266135 = the spec's "Automated spec update (266135)"). Which schema answers which
 * operation and status is this table, transcribed from the spec's `paths` (operationId, `responses`); the
 * package has the schemas but not that mapping. Where the docs and the spec disagree the docs win
 * (the spec's README says so): see DOCS_OVERRIDES.
 */
import * as z from 'zod/mini';

type Schema = z.ZodMiniType;

/**
 * The package's typings are TypeScript sources (`const enum`s, `export`s in a CommonJS package) that this
 * repository's compiler settings refuse, and its Zod module has none: both entry points are loaded untyped,
 * and every name used is checked when it is looked up.
 */
const load = (specifier: string): Promise<Record<string, unknown>> => import(specifier);
const S = (await load('discord-api-spec/zod')) as Record<string, Schema | undefined>;
const pathsList = (await load('discord-api-spec')).pathsList as Record<string, readonly string[]>;
const schema = (name: string): Schema => {
  const s = S[`${name}Schema`];
  if (!s) throw new Error(`discord-api-spec has no ${name}Schema`);
  return s;
};

const channel = () =>
  z.union([
    schema('GuildChannelResponse'),
    schema('PrivateChannelResponse'),
    schema('PrivateGroupChannelResponse'),
    schema('ThreadResponse'),
  ]);
/** `"type": ["array", "null"]` in the spec. */
const nullableList = (item: Schema) => z.nullable(z.array(item));

export interface Operation {
  operationId: string;
  /** status → body schema; null = no body (204) */
  responses: Record<number, Schema | null>;
}

/** Spec path template → method → operation, for every operation the bridge calls (spec build 266135). */
export const OPERATIONS: Record<string, Partial<Record<string, Operation>>> = {
  '/gateway/bot': {
    GET: { operationId: 'get_bot_gateway', responses: { 200: schema('GatewayBotResponse') } },
  },
  '/users/@me': { GET: { operationId: 'get_my_user', responses: { 200: schema('UserPIIResponse') } } },
  '/users/{user_id}': { GET: { operationId: 'get_user', responses: { 200: schema('UserResponse') } } },
  '/applications/@me': {
    GET: { operationId: 'get_my_application', responses: { 200: schema('PrivateApplicationResponse') } },
  },
  '/applications/{application_id}/commands': {
    PUT: {
      operationId: 'bulk_set_application_commands',
      responses: { 200: nullableList(schema('ApplicationCommandResponse')) },
    },
  },
  '/applications/{application_id}/guilds/{guild_id}/commands': {
    PUT: {
      operationId: 'bulk_set_guild_application_commands',
      responses: { 200: nullableList(schema('ApplicationCommandResponse')) },
    },
  },
  '/guilds/{guild_id}': {
    GET: { operationId: 'get_guild', responses: { 200: schema('GuildWithCountsResponse') } },
  },
  '/guilds/{guild_id}/channels': {
    GET: { operationId: 'list_guild_channels', responses: { 200: nullableList(channel()) } },
    POST: { operationId: 'create_guild_channel', responses: { 201: schema('GuildChannelResponse') } },
  },
  '/guilds/{guild_id}/roles': {
    GET: { operationId: 'list_guild_roles', responses: { 200: z.array(schema('GuildRoleResponse')) } },
    POST: { operationId: 'create_guild_role', responses: { 200: schema('GuildRoleResponse') } },
  },
  '/guilds/{guild_id}/roles/{role_id}': {
    GET: { operationId: 'get_guild_role', responses: { 200: schema('GuildRoleResponse') } },
  },
  '/guilds/{guild_id}/members/{user_id}': {
    GET: { operationId: 'get_guild_member', responses: { 200: schema('GuildMemberResponse') } },
    PATCH: {
      operationId: 'update_guild_member',
      responses: { 200: schema('GuildMemberResponse'), 204: null },
    },
  },
  '/guilds/{guild_id}/members/{user_id}/roles/{role_id}': {
    PUT: { operationId: 'add_guild_member_role', responses: { 204: null } },
    DELETE: { operationId: 'delete_guild_member_role', responses: { 204: null } },
  },
  '/channels/{channel_id}': {
    GET: { operationId: 'get_channel', responses: { 200: channel() } },
    PATCH: { operationId: 'update_channel', responses: { 200: channel() } },
    DELETE: { operationId: 'delete_channel', responses: { 200: channel() } },
  },
  '/channels/{channel_id}/permissions/{overwrite_id}': {
    PUT: { operationId: 'set_channel_permission_overwrite', responses: { 204: null } },
  },
  '/channels/{channel_id}/voice-status': {
    PUT: { operationId: 'update_voice_channel_status', responses: { 204: null } },
  },
  '/channels/{channel_id}/messages': {
    GET: { operationId: 'list_messages', responses: { 200: nullableList(schema('MessageResponse')) } },
    POST: { operationId: 'create_message', responses: { 200: schema('MessageResponse') } },
  },
  '/channels/{channel_id}/messages/{message_id}': {
    PATCH: { operationId: 'update_message', responses: { 200: schema('MessageResponse') } },
  },
  '/users/@me/guilds/{guild_id}': {
    DELETE: { operationId: 'leave_guild', responses: { 204: null } },
  },
  '/users/@me/channels': {
    POST: {
      operationId: 'create_dm',
      responses: {
        200: z.union([schema('PrivateChannelResponse'), schema('PrivateGroupChannelResponse')]),
      },
    },
  },
  '/interactions/{interaction_id}/{interaction_token}/callback': {
    POST: {
      operationId: 'create_interaction_response',
      responses: { 200: schema('InteractionCallbackResponse'), 204: null },
    },
  },
  '/webhooks/{webhook_id}/{webhook_token}': {
    POST: { operationId: 'execute_webhook', responses: { 200: schema('MessageResponse'), 204: null } },
  },
  '/webhooks/{webhook_id}/{webhook_token}/messages/@original': {
    GET: { operationId: 'get_original_webhook_message', responses: { 200: schema('MessageResponse') } },
    PATCH: {
      operationId: 'update_original_webhook_message',
      responses: { 200: schema('MessageResponse') },
    },
  },
};

/**
 * Where the docs and the spec disagree on an error body, the docs win:
 * - a 429 is `RatelimitedResponse` in the spec, which requires `code`; the docs (`developers/topics/rate-limits.mdx`,
 *   "Rate Limit Response Structure") make `code` optional ("for some limits") and their three examples have none;
 * - every other 4xx is `ErrorResponse`, whose `errors` tree ends in `Error` objects with an integer `code`; the docs
 *   (`developers/reference.mdx`, "Error Messages") show string codes there (`"BASE_TYPE_CHOICES"`), which is what
 *   Discord sends.
 */
const FIELD_ERRORS = z.object({ _errors: z.array(z.object({ code: z.string(), message: z.string() })) });
const ERROR_TREE: Schema = z.union([
  FIELD_ERRORS,
  z.record(
    z.string(),
    z.lazy(() => ERROR_TREE),
  ),
]);
export const DOCS_OVERRIDES = {
  429: z.object({
    message: z.string(),
    retry_after: z.number(),
    global: z.boolean(),
    code: z.optional(z.int()),
  }),
  error: z.object({ code: z.int(), message: z.string(), errors: z.optional(ERROR_TREE) }),
};

/** One request discord.js made and what came back. */
export interface Exchange {
  method: string;
  /** path under /api/v10, decoded (`@original`, not `%40original`) */
  path: string;
  query: string;
  status: number;
  headers: Headers;
  body: unknown;
}

/**
 * A `makeRequest` for discord.js' REST options that records every exchange. It uses the global fetch, which
 * `@discordjs/rest` documents as a drop-in for its default (undici's request).
 */
export function recordingFetch(log: Exchange[]) {
  return async (url: string, init: RequestInit): Promise<Response> => {
    const { dispatcher: _ignored, ...rest } = init as RequestInit & { dispatcher?: unknown };
    const res = await fetch(url, rest);
    const u = new URL(url);
    const text = await res.clone().text();
    log.push({
      method: (init.method ?? 'GET').toUpperCase(),
      path: decodeURIComponent(u.pathname.replace(/^\/api\/v10/, '')),
      query: u.search,
      status: res.status,
      headers: res.headers,
      body: text.length > 0 ? JSON.parse(text) : undefined,
    });
    return res;
  };
}

const literalSegments = (template: string) =>
  template.split('/').filter((s) => s && !s.startsWith('{')).length;

/** The spec's path template for a concrete path (a literal segment such as `@me` beats a parameter). */
export function specTemplate(method: string, path: string): string | undefined {
  const list = pathsList[method.toLowerCase()] ?? [];
  const parts = path.split('/');
  return list
    .filter((t) => {
      const tp = t.split('/');
      return tp.length === parts.length && tp.every((seg, i) => seg.startsWith('{') || seg === parts[i]);
    })
    .sort((a, b) => literalSegments(b) - literalSegments(a))[0];
}

/** What in `body` the schema does not know: Zod objects drop unknown keys, so compare input with output. */
function unknownKeys(input: unknown, output: unknown, at: string, out: string[]): void {
  if (Array.isArray(input) && Array.isArray(output)) {
    input.forEach((v, i) => {
      unknownKeys(v, output[i], `${at}[${i}]`, out);
    });
    return;
  }
  if (typeof input !== 'object' || input === null || typeof output !== 'object' || output === null) return;
  for (const [k, v] of Object.entries(input)) {
    if (!(k in output)) out.push(`${at}.${k}`);
    else unknownKeys(v, (output as Record<string, unknown>)[k], `${at}.${k}`, out);
  }
}

/** Problems with one exchange against the spec: an unknown operation, a status or body it does not allow. */
export function conformance(x: Exchange): { template?: string; operationId?: string; problems: string[] } {
  const template = specTemplate(x.method, x.path);
  if (!template) return { problems: [`${x.method} ${x.path}: no such path in the spec`] };
  const op = OPERATIONS[template]?.[x.method];
  if (!op) return { template, problems: [`${x.method} ${template}: not in this test's operation table`] };
  const where = `${x.method} ${template} (${op.operationId}) → ${x.status}`;
  let body: Schema | null;
  if (x.status === 429) body = DOCS_OVERRIDES[429];
  else if (x.status >= 400 && x.status < 500) body = DOCS_OVERRIDES.error;
  else if (x.status in op.responses) body = op.responses[x.status] ?? null;
  else return { template, operationId: op.operationId, problems: [`${where}: status not in the spec`] };
  const problems: string[] = [];
  if (body === null) {
    if (x.body !== undefined) problems.push(`${where}: the spec has no body, got one`);
  } else {
    const parsed = z.safeParse(body, x.body);
    if (!parsed.success) {
      // The issue's code, not its message: the message's wording is process-wide zod config (its full locale
      // once any module imported 'zod', the short one in 'zod/mini' alone), and test files share a process.
      for (const issue of parsed.error.issues) {
        problems.push(`${where}: ${issue.path.join('.') || '(body)'}: ${issue.code}`);
      }
    } else {
      const extra: string[] = [];
      unknownKeys(x.body, parsed.data, '', extra);
      for (const k of extra) problems.push(`${where}: ${k} is not in the spec`);
    }
  }
  return { template, operationId: op.operationId, problems };
}
