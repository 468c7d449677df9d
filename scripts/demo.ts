// `./run demo`: the whole bridge with no Discord or FACEIT credentials. It starts the sandbox (emulated
// Discord and FACEIT), a fresh Supabase-shaped database (Postgres + PostgREST), the API and the worker
// against the local Redis and Postgres; links two players through the real OAuth flow and one by
// nickname; plays a match (created → channels and moves → finished → cleanup) and prints a timeline.
// Then it stays up with the dashboard URL and credentials until Ctrl-C. `--once` exits after the timeline.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { type CardMessage, cardMarker, cardText } from '../packages/core/src/index.ts';
import {
  parseExposition,
  scrape,
  startStack,
  stopOnSignals,
  waitFor,
  workerMetricsUrl,
} from '../packages/testbed/src/index.ts';

const once = process.argv.includes('--once');
/** Where compose's monitoring profile publishes Grafana (GRAFANA_PORT, on 127.0.0.1 only). */
const MONITORING_GRAFANA_URL = `http://127.0.0.1:${process.env.GRAFANA_PORT ?? 3001}`;
const started = Date.now();
const t = () => `+${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`;
const say = (msg: string) => process.stdout.write(`${t()}  ${msg}\n`);

// Ctrl-C (SIGINT to the whole process group, so the API, worker and PostgREST get it too), SIGTERM, or
// the parent going away: kill the children, drop the database, delete the Redis keys, exit. Installed
// before anything starts, so a Ctrl-C during start-up leaves nothing behind either.
const signals = stopOnSignals({ say, whenOrphaned: true });

const adminPassword = randomBytes(9).toString('base64url');
say('starting Postgres + PostgREST, emulated Discord and FACEIT, the API and a worker …');
const stack = await startStack({
  workers: 1,
  // A stable, memorable URL when port 3000 is free; any port otherwise.
  ...(!once && (await isFree(Number(process.env.PORT ?? 3000)))
    ? { apiPort: Number(process.env.PORT ?? 3000) }
    : {}),
  apiEnv: { ADMIN_USER: 'admin', ADMIN_PASSWORD: adminPassword, LOG_LEVEL: 'info' },
  workerEnv: { LOG_LEVEL: 'info' },
  guild: {
    members: [
      ...['alice', 'bob', 'carol', 'dave'].map((username) => ({ username })),
      // A moderator (Manage Server) who turns the match cards on.
      { username: 'mod', permissions: '32' },
    ],
    channels: [{ name: 'match-cards', type: 'text' }],
    // The bot's usual permissions plus Set Voice Channel Status (1 << 48), for the team channels' status line.
    botPermissions: String(
      (1n << 48n) | (1n << 28n) | (1n << 24n) | (1n << 20n) | (1n << 11n) | (1n << 10n) | (1n << 4n),
    ),
  },
}).catch((err) => {
  // Stopped by a signal half-way through start-up: let that stop finish (it exits), no stack trace.
  const stopping = signals.stopping();
  if (stopping) return stopping;
  throw err;
});
const workerMetrics = await workerMetricsUrl(stack.workers[0]!);
const shutdown = async (code: number): Promise<never> => {
  const stopping = signals.stopping(); // a signal's stop is under way: let it finish
  if (stopping) return stopping;
  await stack.stop();
  process.exit(code);
};
// One machine-readable line: what the demo holds outside itself (a test checks it is all gone after Ctrl-C).
say(`resources ${JSON.stringify({ pid: process.pid, ...stack.resources() })}`);

try {
  const { discord, faceit, guildId, guild } = stack;
  const member = (name: string) => guild.members[name]!;
  const channelName = (id: string | undefined) =>
    discord.state(guildId).channels.find((c) => c.id === id)?.name ?? 'nowhere';
  say(`API ${stack.apiUrl}, Discord emulator ${discord.url}, FACEIT emulator ${faceit.url}`);

  const players = Object.fromEntries(
    ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy'].map((n) => [
      n,
      faceit.seedPlayer({ nickname: n }),
    ]),
  );

  // ── linking ────────────────────────────────────────────────────────────────────────────────
  for (const name of ['alice', 'bob']) {
    const link = await discord.invokeCommand({ guildId, userId: member(name), name: 'link' });
    const reply = await link.waitForReply(30_000);
    const url = findButtonUrl(reply.components);
    say(
      `${name} runs /link → ephemeral reply with a button to ${new URL(url).origin}${new URL(url).pathname}`,
    );
    // The person's browser: our start page (names the Discord account, sets the binding cookie), then
    // the FACEIT sign-in page, "Sign in as <name>", and the redirect back with that cookie.
    const startRes = await fetch(url);
    const cookie = (startRes.headers.get('set-cookie') ?? '').split(';')[0]!;
    const startPage = await startRes.text();
    const who = /<strong id="discord-user">([^<]*)<\/strong>/.exec(startPage)?.[1] ?? '?';
    const authorizeUrl = /<a class="go" id="continue" href="([^"]+)"/
      .exec(startPage)![1]!
      .replace(/&amp;/g, '&');
    say(`${name}'s start page says: "You are linking your FACEIT account to Discord user ${who}"`);
    const signIn = await (await fetch(authorizeUrl)).text();
    const action = new URL(
      /<form id="authorize" method="post" action="([^"]+)"/.exec(signIn)![1]!,
      authorizeUrl,
    );
    const form = new URLSearchParams(
      [...signIn.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
        m[1]!,
        m[2]!.replace(/&amp;/g, '&'),
      ]),
    );
    form.set('player_id', players[name]!.id);
    const consent = await fetch(action, { method: 'POST', body: form, redirect: 'manual' });
    const redirect = consent.headers.get('location')!;
    say(`${name} signs in on the FACEIT page as "${name}" → redirected to /faceit/callback`);
    const page = await (await fetch(redirect, { headers: { cookie } })).text();
    const heading = /<h1[^>]*>([^<]*)<\/h1>/.exec(page)?.[1] ?? '(no heading)';
    say(`callback page says: "${heading.trim()}"`);
    const dm = await discord.waitForDm(member(name), undefined, 30_000);
    say(`${name} gets a DM: "${dm.content.split('\n')[0]}"`);
  }
  const register = await discord.invokeCommand({
    guildId,
    userId: member('carol'),
    name: 'register',
    options: { nickname: 'carol' },
  });
  say(
    `carol runs /register nickname:carol → "${(await register.waitForReply(30_000)).content.split('\n')[0]}"`,
  );
  const rows = await stack.supabase.query<{ faceit_nickname: string; verified_method: string }>(
    'select faceit_nickname, verified_method from player_links order by faceit_nickname',
  );
  say(`player_links: ${rows.map((r) => `${r.faceit_nickname} (${r.verified_method})`).join(', ')}`);

  // ── match cards ────────────────────────────────────────────────────────────────────────────
  const cards = await discord.invokeCommand({
    guildId,
    userId: member('mod'),
    name: 'setup',
    subcommand: 'cards',
    options: { channel: guild.channels['match-cards']! },
  });
  say(
    `mod runs /setup cards channel:#match-cards → "${(await cards.waitForReply(30_000)).content.split('\n')[0]}"`,
  );
  /** Waits for the match's one card to show `until`, then prints its text. */
  const showCard = async (matchId: string, step: string, until: (lines: string[]) => boolean) => {
    const lines = await waitFor(
      () => {
        const posted = discord
          .channelMessages(guild.channels['match-cards']!)
          .filter((m) => JSON.stringify(m.embeds).includes(cardMarker(matchId)));
        const text = posted.length === 1 ? cardText(posted[0] as unknown as CardMessage) : null;
        return text && until(text) ? text : null;
      },
      { what: `the match card (${step})`, timeoutMs: 60_000 },
    );
    say(`card (${step}), one message edited in place:`);
    // As Discord shows them: mentions by name, channels by name.
    const byId = new Map(Object.entries(guild.members).map(([n, id]) => [id, n]));
    const shown = (line: string) =>
      line
        .replace(/<@(\d+)>/g, (_, id: string) => `@${byId.get(id) ?? id}`)
        .replace(/<#(\d+)>/g, (_, id: string) => `#${channelName(id)}`);
    // The last line is the footer's marker (the match id), already printed above.
    for (const line of lines.slice(0, -1)) say(`  │ ${shown(line)}`);
  };

  // ── a match ────────────────────────────────────────────────────────────────────────────────
  discord.setVoice(guildId, member('alice'), guild.channels.Lobby!);
  discord.setVoice(guildId, member('bob'), guild.channels.General!);
  say('alice waits in Lobby, bob in General; carol is not in voice');
  const match = faceit.seedMatch({
    faction1: ['alice', 'carol', 'erin', 'frank', 'grace'].map((n) => players[n]!.id),
    faction2: ['bob', 'dave', 'heidi', 'ivan', 'judy'].map((n) => players[n]!.id),
  });
  const deliveries = await faceit.play(stack.webhook, match.id, [
    'match_object_created',
    'match_status_configuring',
    'match_status_ready',
  ]);
  say(`FACEIT sends ${deliveries.map((d) => `${d.event} → ${d.status}`).join(', ')} for ${match.id}`);
  const redelivered = await faceit.redeliver(stack.webhook, deliveries[2]!.envelope);
  say(
    `FACEIT redelivers match_status_ready (retry_count 1) → ${redelivered.status}, nothing new is enqueued`,
  );

  const channels = await waitFor(
    () => {
      const s = discord.state(guildId);
      const made = s.channels.filter((c) => c.createdBy === 'bot' && c.type === 'voice');
      const moved =
        s.voiceStates[member('alice')] && made.some((c) => c.id === s.voiceStates[member('alice')]);
      return made.length === 2 && moved && made.some((c) => c.id === s.voiceStates[member('bob')])
        ? made
        : null;
    },
    { what: 'both team channels with alice and bob moved in', timeoutMs: 60_000 },
  );
  for (const c of channels) {
    const allowed = c.permissionOverwrites
      .filter((o) => o.type === 1 && o.id !== discord.botUserId)
      .map((o) => o.id);
    const names = Object.entries(guild.members)
      .filter(([, id]) => allowed.includes(id))
      .map(([n]) => n);
    say(
      `channel #${c.name} under "${channelName(c.parentId ?? undefined)}": private, open to ${names.join(', ') || 'nobody linked'} + Staff`,
    );
  }
  const vs = discord.state(guildId).voiceStates;
  say(`alice is now in #${channelName(vs[member('alice')])}, bob in #${channelName(vs[member('bob')])}`);

  await showCard(match.id, 'ready', (l) => l[1]?.startsWith('🟢 Ready') === true);
  const status = await waitFor(
    () => discord.state(guildId).channels.find((c) => c.id === channels[0]?.id)?.status,
    { what: 'the team channels’ voice status', timeoutMs: 60_000 },
  );
  say(`team channels' voice status: "${status}" (the channel name is never changed)`);

  discord.setVoice(guildId, member('carol'), guild.channels.General!);
  await waitFor(() => channels.some((c) => c.id === discord.state(guildId).voiceStates[member('carol')]), {
    what: 'carol moved in as a late joiner',
    timeoutMs: 60_000,
  });
  say(
    `carol connects to General later → moved to #${channelName(discord.state(guildId).voiceStates[member('carol')])}`,
  );

  await showCard(match.id, 'late joiner', (l) => !l.some((x) => x.startsWith('Not in voice yet')));

  const [finished] = await faceit.play(stack.webhook, match.id, ['match_status_finished']);
  say(`FACEIT sends match_status_finished → ${finished?.status}`);
  const inVoice = ['alice', 'bob', 'carol'];
  await waitFor(
    () => {
      const s = discord.state(guildId);
      return (
        s.channels.filter((c) => c.createdBy === 'bot' && c.type === 'voice').length === 0 &&
        inVoice.every((n) => s.voiceStates[member(n)] === guild.channels.Lobby)
      );
    },
    { what: 'channels deleted and alice, bob and carol back in the lobby', timeoutMs: 60_000 },
  );
  const after = discord.state(guildId).voiceStates;
  say(`players moved back: ${inVoice.map((n) => `${n} → #${channelName(after[member(n)])}`).join(', ')}`);
  // The rows go last, after the channels: wait for them rather than read a moment too early.
  const rowsLeft = async () =>
    (await stack.supabase.query('select 1 from active_matches where match_id = $1', [match.id])).length;
  await waitFor(async () => (await rowsLeft()) === 0, {
    what: 'active_matches rows removed',
    timeoutMs: 60_000,
  });
  say(`both team channels deleted; active_matches rows left for the match: ${await rowsLeft()}`);
  await showCard(match.id, 'finished', (l) => l[1]?.startsWith('🏁 Finished') === true);
  // What an operator's Prometheus would have seen of this match (README → Monitoring).
  const samples = parseExposition(await scrape(workerMetrics));
  const ready = (name: string) =>
    samples.find((m) => m.name === name && m.labels.event === 'match_status_ready')?.value ?? 0;
  const seconds =
    ready('bridge_match_ready_seconds_sum') / Math.max(1, ready('bridge_match_ready_seconds_count'));
  say(
    `metrics: the ready event's channels and moves took ${seconds.toFixed(2)} s after the webhook (bridge_match_ready_seconds on ${workerMetrics})`,
  );
  say(
    `dashboard and alerts: not run here; with docker compose, \`docker compose --profile monitoring up -d\` serves Grafana at ${MONITORING_GRAFANA_URL} (deploy/monitoring/, runbook in docs/runbook.md)`,
  );
  say('done.');
} catch (err) {
  // Ctrl-C reaches the API and the worker too, and they may stop (cleanly) before this process handles
  // its own copy of the signal: give that signal, or the children's exit, a moment to show. A child that
  // stopped cleanly under the timeline means the bridge was stopped, not that the demo failed.
  const children = [...stack.apis.map((a) => a.proc.child), ...stack.workers.map((w) => w.child)];
  const hasExited = (c: (typeof children)[number]) => c.exitCode !== null || c.signalCode !== null;
  await waitFor(() => Boolean(signals.stopping()) || children.some(hasExited), {
    what: 'a stop under way',
    timeoutMs: 3_000,
  }).catch(() => {});
  await signals.stopping(); // a signal's stop is under way: it ends the process
  const exited = children.filter(hasExited);
  const stoppedCleanly = (c: (typeof children)[number]) =>
    c.exitCode === 0 || c.signalCode === 'SIGINT' || c.signalCode === 'SIGTERM';
  if (exited.length > 0 && exited.every(stoppedCleanly)) await signals.stop('the bridge stopped');
  process.stderr.write(`demo failed: ${(err as Error).stack ?? err}\n`);
  for (const p of [...stack.apis.map((a) => a.proc), ...stack.workers]) {
    process.stderr.write(
      p.lines
        .slice(-20)
        .map((l) => JSON.stringify(l))
        .join('\n'),
    );
  }
  await shutdown(1);
}

if (once) await shutdown(0);
process.stdout.write(
  [
    '',
    'The bridge stays up. Try it:',
    `  queue dashboard   ${stack.apiUrl}/admin/queues   user admin, password ${adminPassword}`,
    `  metrics           ${stack.apis[0]?.metricsUrl} (API), ${workerMetrics} (worker)`,
    `  Grafana           ${MONITORING_GRAFANA_URL} with \`docker compose --profile monitoring up -d\` (not started by the demo)`,
    `  Discord sandbox   ${stack.discord.url}/_sandbox/discord/guilds/${stack.guildId}/state`,
    `  FACEIT sandbox    ${stack.faceit.controlUrl}/state   (drive matches: packages/sandbox/docs/faceit.md)`,
    `  webhook           POST ${stack.webhook.url}  with header ${stack.webhook.header}: ${stack.webhook.secret}`,
    `Ctrl-C stops everything and drops the demo database (${stack.supabase.database}) and Redis keys (${stack.prefix}*).`,
    '',
  ].join('\n'),
);

function findButtonUrl(components: unknown[]): string {
  for (const row of components as { components?: { url?: string }[] }[]) {
    for (const c of row.components ?? []) if (c.url) return c.url;
  }
  throw new Error('the /link reply has no button with a URL');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}
