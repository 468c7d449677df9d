/** Turns invokeCommand() options into an interaction's data.options (+ resolved), typed by the registered command. */
import { channelJson, memberJson, roleJson, userJson } from './serialize.ts';
import type { Store } from './state.ts';
import type { CommandRec, InvokeCommandInput } from './types.ts';

const OPTION_TYPE = {
  SubCommand: 1,
  SubCommandGroup: 2,
  String: 3,
  Integer: 4,
  Boolean: 5,
  User: 6,
  Channel: 7,
  Role: 8,
  Mentionable: 9,
  Number: 10,
} as const;

interface OptionDef {
  name: string;
  type: number;
  options?: OptionDef[];
}

function asDefs(value: unknown): OptionDef[] {
  return Array.isArray(value) ? (value as OptionDef[]) : [];
}

export function buildOptions(
  store: Store,
  guildId: string,
  command: CommandRec,
  input: InvokeCommandInput,
  resolved: Record<string, Record<string, unknown>>,
): unknown[] {
  let defs = asDefs(command.data.options);
  const wrap: Array<(inner: unknown[]) => unknown> = [];
  if (input.subcommandGroup) {
    const group = defs.find(
      (d) => d.name === input.subcommandGroup && d.type === OPTION_TYPE.SubCommandGroup,
    );
    if (!group) throw new Error(`/${command.name} has no subcommand group ${input.subcommandGroup}`);
    defs = asDefs(group.options);
    wrap.push((inner) => ({ type: OPTION_TYPE.SubCommandGroup, name: group.name, options: inner }));
  }
  if (input.subcommand) {
    const sub = defs.find((d) => d.name === input.subcommand && d.type === OPTION_TYPE.SubCommand);
    if (!sub) throw new Error(`/${command.name} has no subcommand ${input.subcommand}`);
    defs = asDefs(sub.options);
    wrap.unshift((inner) => ({ type: OPTION_TYPE.SubCommand, name: sub.name, options: inner }));
  } else if (defs.some((d) => d.type === OPTION_TYPE.SubCommand || d.type === OPTION_TYPE.SubCommandGroup)) {
    throw new Error(`/${command.name} needs a subcommand`);
  }
  const g = store.guild(guildId);
  let out: unknown[] = Object.entries(input.options ?? {}).map(([name, value]) => {
    const def = defs.find((d) => d.name === name);
    if (!def && defs.length > 0) throw new Error(`/${command.name} has no option ${name}`);
    const type =
      def?.type ??
      (typeof value === 'boolean'
        ? OPTION_TYPE.Boolean
        : typeof value === 'number'
          ? Number.isInteger(value)
            ? OPTION_TYPE.Integer
            : OPTION_TYPE.Number
          : OPTION_TYPE.String);
    const id = String(value);
    if (type === OPTION_TYPE.User || type === OPTION_TYPE.Mentionable) {
      const user = store.users.get(id);
      const member = g.members.get(id);
      if (user) (resolved.users as Record<string, unknown>)[id] = userJson(user);
      if (member) {
        const { user: _u, ...rest } = memberJson(store, member);
        (resolved.members as Record<string, unknown>)[id] = {
          ...rest,
          permissions: store.basePermissions(g, id).toString(),
        };
      }
    }
    if (type === OPTION_TYPE.Role || type === OPTION_TYPE.Mentionable) {
      const role = g.roles.get(id);
      if (role) (resolved.roles as Record<string, unknown>)[id] = roleJson(role);
    }
    if (type === OPTION_TYPE.Channel) {
      const c = store.channels.get(id);
      if (c) {
        (resolved.channels as Record<string, unknown>)[id] = {
          ...channelJson(store, c),
          permissions: store.channelPermissions(g, input.userId, c).toString(),
        };
      }
    }
    return { type, name, value };
  });
  for (const w of wrap) out = [w(out)];
  return out;
}
