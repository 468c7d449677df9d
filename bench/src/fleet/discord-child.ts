// The Discord emulator of `./run bench fleet`, in a process of its own so that holding thousands of servers
// (their state, their GUILD_CREATEs, the background voice traffic) costs the bench's figures nothing. Started
// with `fork()`; talks over the IPC channel: it answers `ready` with what the bench needs, then runs
// `traffic` commands (voice connects and disconnects of members who play in no match) and reports.
import { startDiscordEmulator } from '@bridge/sandbox';

export interface FleetDiscordConfig {
  /** servers the bot is in, the first being the bridge's home guild */
  guilds: number;
  /** members of each server who play in no match */
  membersPerGuild: number;
  /** emulator options: the realistic defaults apart from these */
  guildsPerShard?: number;
  recommendedGuildsPerShard?: number;
  maxConcurrency?: number;
}

export interface FleetDiscordReady {
  url: string;
  apiUrl: string;
  botToken: string;
  applicationId: string;
  home: { guildId: string; channels: Record<string, string>; roles: Record<string, string> };
  /** how many other servers there are */
  others: number;
  /** the servers a moderator set up (settings, no match): the bench writes their rows */
  setUp: string[];
}

export type TrafficCommand = { cmd: 'traffic'; events: number; perSecond: number };
export type TrafficDone = { done: 'traffic'; events: number; connects: number; ms: number };

const config = JSON.parse(process.env.FLEET_DISCORD ?? '{}') as FleetDiscordConfig;
const emu = await startDiscordEmulator({
  // One IDENTIFY per 5 s per bucket as on Discord; several buckets only when asked (large bots have more).
  identify: { maxConcurrency: config.maxConcurrency ?? 1 },
  sharding: {
    guildsPerShard: config.guildsPerShard ?? 2500,
    recommendedGuildsPerShard: config.recommendedGuildsPerShard ?? 1000,
  },
  // The bench's match runs create channels all along: Discord's 500 a day per server would stop it.
  limits: { channelCreatesPerDay: 0 },
});
const home = emu.seedGuild({
  name: 'FACEIT Hub',
  roles: [{ name: 'Staff' }],
  channels: [
    { name: 'Matches', type: 'category' },
    { name: 'Lobby', type: 'voice' },
    { name: 'General', type: 'voice' },
  ],
  // Members who play in no match: part of the background voice traffic.
  members: Array.from({ length: config.membersPerGuild }, (_, k) => ({ username: `hub-bystander${k}` })),
});
interface Other {
  guildId: string;
  voice: string[];
  members: string[];
}
const others: Other[] = [
  {
    guildId: home.guildId,
    voice: [home.channels.General as string],
    members: Object.values(home.members),
  },
];
for (let i = 1; i < config.guilds; i++) {
  const g = emu.seedGuild({
    name: `Server ${i}`,
    roles: [{ name: 'Mods' }],
    channels: [
      { name: 'Voice', type: 'category' },
      { name: 'Hangout', type: 'voice' },
      { name: 'Gaming', type: 'voice' },
      { name: 'chat', type: 'text' },
    ],
    members: Array.from({ length: config.membersPerGuild }, (_, k) => ({ username: `s${i}m${k}` })),
  });
  others.push({
    guildId: g.guildId,
    voice: [g.channels.Hangout as string, g.channels.Gaming as string],
    members: Object.values(g.members),
  });
}

const inVoice = new Map<string, string>();
/** `events` voice changes spread evenly at `perSecond`: a member out of voice connects, one in voice leaves. */
async function traffic(events: number, perSecond: number): Promise<TrafficDone> {
  const started = performance.now();
  let connects = 0;
  for (let n = 0; n < events; n++) {
    const g = others[Math.floor(Math.random() * others.length)];
    const member = g?.members[Math.floor(Math.random() * g.members.length)];
    if (!g || !member) break;
    const key = `${g.guildId}:${member}`;
    if (inVoice.has(key)) {
      emu.setVoice(g.guildId, member, null);
      inVoice.delete(key);
    } else {
      const channel = g.voice[n % g.voice.length] as string;
      emu.setVoice(g.guildId, member, channel);
      inVoice.set(key, channel);
      connects++;
    }
    const due = started + ((n + 1) * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  return { done: 'traffic', events, connects, ms: Math.round(performance.now() - started) };
}

process.on('message', (msg: TrafficCommand) => {
  if (msg.cmd === 'traffic') void traffic(msg.events, msg.perSecond).then((r) => process.send?.(r));
});
process.on('disconnect', () => {
  void emu.close().then(() => process.exit(0));
});
const ready: FleetDiscordReady = {
  url: emu.url,
  apiUrl: emu.apiUrl,
  botToken: emu.botToken,
  applicationId: emu.applicationId,
  home: { guildId: home.guildId, channels: home.channels, roles: home.roles },
  others: config.guilds - 1,
  // One server in ten of the others was set up with /setup.
  setUp: others
    .slice(1)
    .filter((_, i) => i % 10 === 0)
    .map((o) => o.guildId),
};
process.send?.({ ready });
