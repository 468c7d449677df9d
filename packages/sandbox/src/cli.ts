// `pnpm sandbox`: both emulators on fixed local ports, a seeded hub, and the settings that point the
// bridge at them. Serves until Ctrl-C.
import { parseArgs } from 'node:util';
import { startDiscordEmulator } from './discord/index.ts';
import { startFaceitEmulator } from './faceit/index.ts';
import { seedDemoWorld } from './world.ts';

const { values } = parseArgs({
  options: {
    'discord-port': { type: 'string', default: process.env.SANDBOX_DISCORD_PORT ?? '4100' },
    'faceit-port': { type: 'string', default: process.env.SANDBOX_FACEIT_PORT ?? '4200' },
    'redirect-uri': {
      type: 'string',
      default: process.env.FACEIT_REDIRECT_URI ?? 'http://127.0.0.1:3000/faceit/callback',
    },
  },
});

const discord = await startDiscordEmulator({ port: Number(values['discord-port']) });
const faceit = await startFaceitEmulator({
  port: Number(values['faceit-port']),
  redirectUris: [values['redirect-uri']],
});
const world = seedDemoWorld(discord, faceit);

const env = {
  // The emulators speak http on loopback, which the worker refuses with NODE_ENV=production.
  NODE_ENV: 'development',
  DISCORD_API_URL: discord.apiUrl,
  DISCORD_TOKEN: discord.botToken,
  DISCORD_GUILD_ID: world.guild.guildId,
  VC_CATEGORY_ID: world.guild.channels.Matches,
  VC_LOBBY_CHANNEL_ID: world.guild.channels.Lobby,
  VC_STAFF_ROLE_ID: world.guild.roles.Staff,
  FACEIT_API_URL: faceit.dataApiUrl,
  FACEIT_API_KEY: faceit.apiKey,
  FACEIT_AUTH_URL: faceit.authUrl,
  FACEIT_TOKEN_URL: faceit.tokenUrl,
  FACEIT_USERINFO_URL: faceit.userinfoUrl,
  FACEIT_CLIENT_ID: faceit.clientId,
  FACEIT_CLIENT_SECRET: faceit.clientSecret,
  FACEIT_REDIRECT_URI: values['redirect-uri'],
};
const out = [
  'Sandbox running.',
  '',
  `  Discord emulator   ${discord.url}   (REST ${discord.apiUrl}/v10, gateway ${discord.gatewayUrl})`,
  `    control API      ${discord.url}/_sandbox/discord   (docs: packages/sandbox/docs/discord.md)`,
  `    bot token        ${discord.botToken}   application ${discord.applicationId}`,
  `    guild            ${world.guild.guildId} "FACEIT Hub": category Matches, voice Lobby + General, role Staff`,
  `    members          hub-admin (Manage Server), ${world.people.map((p) => p.username).join(', ')}`,
  `  FACEIT emulator    ${faceit.url}`,
  `    Data API         ${faceit.dataApiUrl}   (Bearer ${faceit.apiKey})`,
  `    OAuth            authorize ${faceit.authUrl}, token ${faceit.tokenUrl}, userinfo ${faceit.userinfoUrl}`,
  `    client           id ${faceit.clientId}, secret ${faceit.clientSecret}`,
  `    control API      ${faceit.controlUrl}   (docs: packages/sandbox/docs/faceit.md)`,
  `    players          ${world.people.map((p) => `${p.faceit.nickname}=${p.faceit.id}`).join(' ')}`,
  '',
  'Point the bridge at it (append to .env):',
  '',
  ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
  '',
  'Ctrl-C to stop.',
];
// One Ctrl-C reaches this process more than once (the terminal signals the process group and pnpm
// forwards what it gets), so later signals must not cut the close short; the close is bounded instead.
let stopping = false;
const stop = (why: string) => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`${why}: stopping the emulators\n`);
  setTimeout(() => process.exit(1), 5_000).unref();
  void Promise.allSettled([discord.close(), faceit.close()]).then(() => process.exit(0));
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal));
// The banner after the handlers: whoever reads "Ctrl-C to stop." may signal at once.
process.stdout.write(`${out.join('\n')}\n`);
// Started through pnpm, which may be killed outright: do not outlive it holding the ports.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && stop('parent process gone'), 1_000).unref();
