/**
 * `./run invite [--without <feature>,…]`: the URL that adds the bot to a server with its slash commands and the
 * exact permissions of the features this deployment offers (packages/core/src/domain/invite.ts, from the one
 * permission table the preflight checks). The application id is read from Discord with DISCORD_TOKEN.
 */
import {
  ALL_FEATURES,
  BOT_PERMISSIONS,
  type BridgeFeature,
  CORE_FEATURES,
  invitePermissions,
  inviteUrl,
  OPTIONAL_FEATURES,
  workerConfigSchema,
} from '@bridge/core';
import { REST, Routes } from 'discord.js';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
const without = new Set<string>();
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--without' && args[i + 1]) {
    for (const f of (args[++i] as string).split(',')) without.add(f.trim());
  } else {
    fail(`usage: ./run invite [--without ${OPTIONAL_FEATURES.map((f) => f.replace(' ', '-')).join(',')}]`);
  }
}
const named = (f: BridgeFeature) => f.replace(' ', '-');
for (const w of without) {
  if (!OPTIONAL_FEATURES.some((f) => named(f) === w)) {
    fail(`--without ${w}: not an optional feature (${OPTIONAL_FEATURES.map(named).join(', ')})`);
  }
}
const features = ALL_FEATURES.filter((f) => !without.has(named(f)));

const token = workerConfigSchema.shape.DISCORD_TOKEN.safeParse(process.env.DISCORD_TOKEN || undefined);
if (!token.success) fail('set DISCORD_TOKEN (the environment or .env): the invite needs the application id');
const apiUrl = workerConfigSchema.shape.DISCORD_API_URL.parse(process.env.DISCORD_API_URL || undefined);
const rest = new REST({ api: apiUrl, timeout: 10_000, retries: 1 }).setToken(token.data);
let app: { id: string; name: string; bot_public?: boolean };
try {
  app = (await rest.get(Routes.currentApplication())) as typeof app;
} catch (err) {
  fail(`Discord refused DISCORD_TOKEN or cannot be reached: ${(err as Error).message}`);
} finally {
  rest.clearHashSweeper();
  rest.clearHandlerSweeper();
}

const bits = invitePermissions(features);
const lines = [
  `Invite ${app.name} (application ${app.id}) with permissions ${bits}:`,
  '',
  inviteUrl(app.id, bits),
  '',
];
for (const f of features) {
  const perms = [...new Set(BOT_PERMISSIONS.filter((n) => n.feature === f).map((n) => n.name))];
  lines.push(`  ${f}${CORE_FEATURES.includes(f) ? '' : ' (optional)'}: ${perms.join(', ')}`);
}
if (app.bot_public === true) {
  lines.push(
    '',
    'Public Bot is on: anyone with this URL can add the bot to a server they manage (BRIDGE_GUILDS limits which are served).',
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
