/** Application commands: bulk overwrite / list / create / delete, guild and global. */
import { Errors } from '../errors.ts';
import type { RouteCtx, RouteDef } from '../router.ts';
import { commandJson } from '../serialize.ts';
import { objectBody } from './util.ts';

function checkApp(ctx: RouteCtx): void {
  if (ctx.params.app !== ctx.store.applicationId) throw Errors.missingAccess();
}

function guildScope(ctx: RouteCtx): string | null {
  checkApp(ctx);
  if (ctx.params.guild === undefined) return null;
  const g = ctx.store.guild(ctx.params.guild);
  if (!g.members.has(ctx.store.bot.id)) throw Errors.missingAccess();
  return g.id;
}

function validate(list: unknown): Array<Record<string, unknown>> {
  if (!Array.isArray(list)) throw Errors.form('_root', 'BASE_TYPE_LIST', 'Must be a list.');
  return list.map((raw, i) => {
    const c = objectBody(raw);
    if (typeof c.name !== 'string' || c.name.length < 1 || c.name.length > 32) {
      throw Errors.form(`${i}.name`, 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 32 in length.');
    }
    const type = c.type ?? 1;
    if (type === 1 && (typeof c.description !== 'string' || c.description.length > 100)) {
      throw Errors.form(`${i}.description`, 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
    }
    return c;
  });
}

function list(ctx: RouteCtx) {
  const scope = guildScope(ctx);
  const cmds = ctx.store.commands(scope) ?? [];
  return { status: 200, body: cmds.map((c) => commandJson(ctx.store.applicationId, c)) };
}

function overwrite(ctx: RouteCtx) {
  const scope = guildScope(ctx);
  const cmds = ctx.store.setCommands(scope, validate(ctx.body));
  return { status: 200, body: cmds.map((c) => commandJson(ctx.store.applicationId, c)) };
}

function createOne(ctx: RouteCtx) {
  const scope = guildScope(ctx);
  const [incoming] = validate([ctx.body]);
  const current = (ctx.store.commands(scope) ?? []).map((c) => ({ ...c.data, name: c.name, type: c.type }));
  const type = incoming?.type ?? 1;
  const next = [...current.filter((c) => !(c.name === incoming?.name && c.type === type)), incoming ?? {}];
  const cmds = ctx.store.setCommands(scope, next);
  const created = cmds.find((c) => c.name === incoming?.name && c.type === type);
  return { status: 201, body: created ? commandJson(ctx.store.applicationId, created) : {} };
}

function deleteOne(ctx: RouteCtx) {
  const scope = guildScope(ctx);
  const cmds = ctx.store.commands(scope) ?? [];
  if (!cmds.some((c) => c.id === ctx.params.command)) throw Errors.unknownCommand();
  ctx.store.setCommands(
    scope,
    cmds.filter((c) => c.id !== ctx.params.command).map((c) => ({ ...c.data, name: c.name, type: c.type })),
  );
  return { status: 204 };
}

export const commandRoutes: RouteDef[] = [
  { method: 'GET', path: '/applications/:app/guilds/:guild/commands', handler: list },
  { method: 'PUT', path: '/applications/:app/guilds/:guild/commands', handler: overwrite },
  { method: 'POST', path: '/applications/:app/guilds/:guild/commands', handler: createOne },
  { method: 'DELETE', path: '/applications/:app/guilds/:guild/commands/:command', handler: deleteOne },
  { method: 'GET', path: '/applications/:app/commands', handler: list },
  { method: 'PUT', path: '/applications/:app/commands', handler: overwrite },
  { method: 'POST', path: '/applications/:app/commands', handler: createOne },
  { method: 'DELETE', path: '/applications/:app/commands/:command', handler: deleteOne },
];
