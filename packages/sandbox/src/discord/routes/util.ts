/** Body validation helpers for route handlers. */
import { Errors } from '../errors.ts';
import type { RouteCtx } from '../router.ts';
import type { GuildRec, OverwriteRec } from '../types.ts';

export type Body = Record<string, unknown>;

export function objectBody(body: unknown): Body {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Body;
  if (body === undefined) return {};
  throw Errors.form('_root', 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
}

export function snowflakeField(body: Body, field: string): string | null | undefined {
  const v = body[field];
  if (v === undefined || v === null) return v as null | undefined;
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  throw Errors.form(field, 'NUMBER_TYPE_COERCE', `Value "${String(v)}" is not snowflake.`);
}

function bits(v: unknown, field: string): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v);
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  throw Errors.form(field, 'NUMBER_TYPE_COERCE', `Value "${String(v)}" is not int.`);
}

export function parseOverwrite(raw: unknown, field: string, idOverride?: string): OverwriteRec {
  const o = objectBody(raw);
  const id = idOverride ?? snowflakeField(o, 'id');
  if (!id) throw Errors.required(`${field}.id`);
  const type = o.type === undefined ? 0 : Number(o.type);
  if (type !== 0 && type !== 1) {
    throw Errors.form(`${field}.type`, 'BASE_TYPE_CHOICES', 'Value must be one of {0, 1}.');
  }
  return { id, type, allow: bits(o.allow, `${field}.allow`), deny: bits(o.deny, `${field}.deny`) };
}

export function parseOverwrites(raw: unknown): OverwriteRec[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) {
    throw Errors.form('permission_overwrites', 'BASE_TYPE_LIST', 'Must be a list.');
  }
  return raw.map((o, i) => parseOverwrite(o, `permission_overwrites.${i}`));
}

export function optionalString(body: Body, field: string, max: number): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw Errors.form(field, 'BASE_TYPE_STRING', 'Must be a string.');
  if (v.length < 1 || v.length > max) {
    throw Errors.form(field, 'BASE_TYPE_BAD_LENGTH', `Must be between 1 and ${max} in length.`);
  }
  return v;
}

export function limitParam(query: URLSearchParams, max: number, dflt: number): number {
  const raw = query.get('limit');
  if (raw === null) return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw Errors.form('limit', 'NUMBER_TYPE_MAX', `int value should be between 1 and ${max}.`);
  }
  return n;
}

/**
 * The guild of a guild sub-route. A bot that is not in it gets 50001 Missing Access, as on Discord; only
 * `GET /guilds/{id}` answers 10004 Unknown Guild (discord-api-docs#1716, #5840).
 */
export function botGuild(
  ctx: RouteCtx,
  notMember: 'missingAccess' | 'unknownGuild' = 'missingAccess',
): GuildRec {
  const g = ctx.store.guild(ctx.params.guild ?? '');
  if (!g.members.has(ctx.store.bot.id)) throw Errors[notMember]();
  return g;
}
