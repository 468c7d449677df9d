// `./run bench`: measures the bridge and prints a table; writes bench/results/<time>.json and latest.json.
// Benchmarks are not tests: nothing here passes or fails on a number.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { stopOnSignals } from '@bridge/testbed';
import { benchBurst } from './src/burst.ts';
import { benchFleet } from './src/fleet/fleet.ts';
import { benchIntake } from './src/intake.ts';
import { benchMatchLatency } from './src/match-latency.ts';
import { benchRound } from './src/round.ts';

// Ctrl-C or SIGTERM mid-run: kill the servers and workers, drop the database and the Redis keys the
// current benchmark made, then exit (the test bed registers each of them as it creates it).
stopOnSignals({ say: (msg) => process.stderr.write(`bench: ${msg}\n`), whenOrphaned: true });

const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);
const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
const machine = {
  cores: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
};
const results: Record<string, unknown> = { at: new Date().toISOString(), commit, machine };
const rows: string[][] = [];

/**
 * One benchmark of the run: announced on stderr, run, its result stored under `key` and its table rows
 * added. Skipped unless named on the command line (or nothing was).
 */
async function section<R>(
  name: string,
  key: string,
  intro: string,
  run: () => Promise<R>,
  report: (r: R) => { result?: unknown; rows: string[][] },
): Promise<void> {
  if (!want(name)) return;
  process.stderr.write(`bench: ${intro}…\n`);
  const r = await run();
  const out = report(r);
  const result = out.result ?? r;
  results[key] =
    typeof result === 'object' && result !== null ? { ...result, measuredAt: results.at, commit } : result;
  rows.push(...out.rows);
}

await section(
  'intake',
  'intake',
  'intake (bare Hono vs POST /faceit-webhook, 50 connections, 9 paired rounds of 3 s)',
  () => benchIntake(),
  (r) => ({
    rows: [
      [
        'intake: bare Hono',
        `${r.bare.rps} req/s`,
        `p50 ${r.bare.p50Ms} ms, p99 ${r.bare.p99Ms} ms (median round)`,
      ],
      [
        'intake: /faceit-webhook',
        `${r.intake.rps} req/s`,
        `p50 ${r.intake.p50Ms} ms, p99 ${r.intake.p99Ms} ms (median round); failed ${r.failed} of ${r.requests}`,
      ],
      [
        'intake / bare',
        `${r.ratio}`,
        `median of paired rounds; goal ≥ 0.6; rounds ${r.roundRatios.join(', ')}; accepted in Redis ${r.enqueued} (incl. warm-up)`,
      ],
      [
        'intake relay (1 worker)',
        `${r.relay.jobsPerSecond} jobs/s`,
        `${r.relay.jobs} accepted webhooks → matches jobs in ${r.relay.seconds} s`,
      ],
    ],
  }),
);

await section(
  'latency',
  'matchLatency',
  'match latency (30 matches, FACEIT +100 ms, Discord +50 ms per call; Discord limits off)',
  () => benchMatchLatency(),
  (r) => ({
    result: { ...r, limits: { discord: 'off', faceitPerSecond: 10 } },
    rows: [
      [
        'match latency',
        `p50 ${r.p50Ms} ms, p95 ${r.p95Ms} ms`,
        `max ${r.maxMs} ms; critical path ${r.criticalPathMs} ms (FACEIT + create + 4 serial moves); p95/critical ${r.p95OverCriticalPath} (goal ≤ 1.25); limits: Discord off (one match at a time), FACEIT 10 req/s; mean ${r.meanMs} ms here, ${r.metric.meanMs} ms in ${r.metric.name} (${r.metric.observations} observations: API received → all in, as operators see it)`,
      ],
    ],
  }),
);

await section(
  'round',
  'round',
  "round (50 matches ready within 3 s, 10 players each, half linked and in voice; Discord's default limits, FACEIT 10 req/s)",
  () => benchRound(),
  (r) => {
    const { matches, seconds, boundSeconds, ratio, failedJobs, duplicateChannels, limits } = r;
    const lim = `Discord ${limits.discordBucket.limit}/${limits.discordBucket.windowSeconds} s per bucket, ${limits.discordGlobalPerSecond} req/s; FACEIT ${limits.faceitPerSecond} req/s`;
    // The fields the issue names, then the detail.
    const named = [
      'matches',
      'seconds',
      'boundSeconds',
      'ratio',
      'failedJobs',
      'duplicateChannels',
      'limits',
      'finishDuringCreatesSeconds',
    ] as const;
    return {
      result: { ...Object.fromEntries(named.map((k) => [k, r[k]])), detail: r },
      rows: [
        [
          `round: ${matches} matches`,
          `${r.playersToMove} players in ${seconds} s`,
          `bound ${boundSeconds} s, ratio ${ratio} (goal ≤ 1.15); 429s ${r.rateLimitsMet}; failed jobs ${failedJobs}; duplicates ${duplicateChannels}; limits: ${lim}`,
        ],
        ['round: bound', `${boundSeconds} s`, r.boundFormula],
        [
          'finish during creates',
          `${r.finishDuringCreatesSeconds} s`,
          `webhook → channels gone while ${matches} other matches are being created; limits: ${lim}`,
        ],
      ],
    };
  },
);

await section(
  'burst',
  'burst',
  'burst (100 matches created within 1 s; Discord limits RELAXED to 50 creates/s: not what a hub sees)',
  () => benchBurst(),
  (r) => ({
    rows: [
      [
        'burst: 100 matches',
        `${r.channels} channels in ${r.secondsToAllChannels} s`,
        `bound ${r.boundSeconds} s (${r.faceitMatchFetches} FACEIT fetches at ${r.limits.faceitPerSecond}/s; Discord ${r.limits.channelCreatesPerSecond} creates/s, ${r.limits.globalPerSecond} req/s); 429s ${r.rateLimitsMet}; duplicates ${r.duplicateChannels}; failed jobs ${r.failedJobs}`,
      ],
      ['memory after burst', `api ${r.rssMiB.api} MiB`, `worker ${r.rssMiB.worker} MiB (RSS)`],
    ],
  }),
);

await section(
  'fleet',
  'fleet',
  'fleet (the emulator with N servers in its own process, 3 worker copies, 6 shards, voice traffic; Discord defaults)',
  () =>
    benchFleet(
      {
        ...(process.env.FLEET_SIZES ? { sizes: process.env.FLEET_SIZES.split(',').map(Number) } : {}),
        ...(process.env.FLEET_MATCHES ? { matches: Number(process.env.FLEET_MATCHES) } : {}),
      },
      (msg) => process.stderr.write(`bench: ${msg}\n`),
    ),
  (r) => ({
    rows: r.sizes.flatMap((f) => {
      const rows = [
        [
          `fleet ${f.servers}: start`,
          f.ready.ms === null ? f.ready.note : `${(f.ready.ms / 1000).toFixed(1)} s to every shard ready`,
          `${f.restAtStart} REST requests at start; RSS per copy ${f.rssMiB.join(', ')} MiB`,
        ],
      ];
      if (f.voice)
        rows.push([
          `fleet ${f.servers}: voice`,
          `${f.voice.per1000Events.dbRoundTrips} DB, ${f.voice.per1000Events.redisCommands} Redis`,
          `per 1,000 voice events of non-players (${f.voice.connects} connects); worker CPU ${f.voice.per1000Events.workerCpuMs} ms`,
        ]);
      if (f.match)
        rows.push([
          `fleet ${f.servers}: match`,
          `p95 ${f.match.p95Ms} ms`,
          `p50 ${f.match.p50Ms} ms over ${f.match.matches} matches one at a time`,
        ]);
      if (f.sweep)
        rows.push([
          `fleet ${f.servers}: sweep`,
          `${f.sweep.restRequests} REST requests`,
          `${f.sweep.ms} ms; ${f.serversSetUp} servers set up, one with matches`,
        ]);
      return rows;
    }),
  }),
);

const width = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)));
process.stdout.write(
  `\nFACEIT bridge benchmarks — commit ${commit}, ${machine.cores} cores, Node ${machine.node}\n\n` +
    rows.map((r) => r.map((c, i) => c.padEnd(width[i] ?? 0)).join('  ')).join('\n') +
    '\n',
);
const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${results.at as string}.json`.replace(/:/g, '-'));
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
// latest.json keeps the sections of earlier runs that this one did not run (each says when and at which commit).
const latestFile = join(dir, 'latest.json');
const earlier = (() => {
  try {
    return JSON.parse(readFileSync(latestFile, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
})();
writeFileSync(latestFile, `${JSON.stringify({ ...earlier, ...results }, null, 2)}\n`);
process.stdout.write(`\nwritten: ${file}\n`);
