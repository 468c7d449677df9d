// The monitoring shipped in deploy/monitoring: the rules pass promtool's checks and their unit tests (one test
// file per alert, each with a series that fires it and one that must not), every alert has its runbook section,
// the dashboard parses, and every metric the rules and the dashboard read is one a live API and worker export.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { stackTest } from '../src/fixtures.ts';
import { declaredMetrics, parseExposition, scrape, workerMetricsUrl } from '../src/metrics.ts';

const root = resolve(import.meta.dirname, '../../..');
const dir = join(root, 'deploy/monitoring');

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rulesOf = (file: string): Rule[] =>
  (parse(readFileSync(join(dir, file), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
    (g) => g.rules,
  );
const alerts = rulesOf('alerts.yml');
const recordings = rulesOf('recording.yml');

/** promtool from the PATH (`./run` puts .tools/promtool there), else where scripts/bootstrap.sh extracts it. */
function promtool(...args: string[]): string {
  const local = join(root, '.tools/promtool/promtool');
  const bin = process.env.PROMTOOL ?? (existsSync(local) ? local : 'promtool');
  try {
    return execFileSync(bin, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { code?: string; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error(
        'promtool not found: run ./run once (scripts/bootstrap.sh extracts it), or set PROMTOOL',
      );
    }
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

describe('alerting and recording rules', () => {
  it('pass promtool check rules', () => {
    expect(promtool('check', 'rules', 'recording.yml', 'alerts.yml')).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('pass their unit tests (promtool test rules, one file per alert)', () => {
    const files = readdirSync(join(dir, 'tests')).filter((f) => f.endsWith('.test.yml'));
    expect(files.length).toBe(alerts.length);
    // promtool prints one SUCCESS per file and exits non-zero on any failure.
    const out = promtool('test', 'rules', ...files.map((f) => `tests/${f}`));
    expect(out.match(/SUCCESS/g)?.length).toBe(files.length);
  });

  for (const rule of alerts) {
    it(`${rule.alert}: has a severity, a summary, a runbook section, and a test that fires it and one that must not`, () => {
      expect(['critical', 'warning']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary?.length).toBeGreaterThan(40);
      const anchor = rule.alert!.toLowerCase();
      expect(rule.annotations?.runbook_url).toBe(`docs/runbook.md#${anchor}`);
      const runbook = readFileSync(join(root, 'docs/runbook.md'), 'utf8');
      const section = runbook.split(/^## /m).find((s) => s.startsWith(`${rule.alert}\n`));
      expect(section, `docs/runbook.md has "## ${rule.alert}"`).toBeDefined();
      for (const part of ['What it means', 'How to confirm', 'What to do']) {
        expect(section, `${rule.alert}: ${part}`).toContain(`**${part}.**`);
      }

      const file = join(dir, 'tests', `${rule.alert}.test.yml`);
      expect(existsSync(file), `tests/${rule.alert}.test.yml`).toBe(true);
      const spec = parse(readFileSync(file, 'utf8')) as {
        rule_files: string[];
        tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
      };
      expect(spec.rule_files.sort()).toEqual(['../alerts.yml', '../recording.yml']);
      const cases = spec.tests.flatMap((t) => t.alert_rule_test).filter((c) => c.alertname === rule.alert);
      expect(
        cases.some((c) => c.exp_alerts.length > 0),
        'a case that fires',
      ).toBe(true);
      expect(
        cases.some((c) => c.exp_alerts.length === 0),
        'a case that must not fire',
      ).toBe(true);
    });
  }
});

describe('the compose profile’s Prometheus configuration', () => {
  it('passes promtool check config with the rule files compose mounts', () => {
    // Where compose mounts each repository file inside the Prometheus container.
    const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
    const mounts = new Map<string, string>(
      (compose.services.prometheus.volumes as string[])
        .filter((v) => v.startsWith('./'))
        .map((v) => {
          const [host, inside] = v.split(':') as [string, string];
          return [inside, join(root, host)];
        }),
    );
    const config = readFileSync(join(dir, 'prometheus.yml'), 'utf8');
    const rules = (parse(config) as { rule_files: string[] }).rule_files;
    expect(rules.map((r) => mounts.get(r))).toEqual([join(dir, 'recording.yml'), join(dir, 'alerts.yml')]);
    // The same configuration with the container paths mapped to the repository's files.
    const local = rules.reduce((text, r) => text.replace(r, mounts.get(r)!), config);
    const tmp = mkdtempSync(join(tmpdir(), 'bridge-prometheus-'));
    try {
      writeFileSync(join(tmp, 'prometheus.yml'), local);
      expect(promtool('check', 'config', join(tmp, 'prometheus.yml'))).toMatch(/SUCCESS/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

interface Panel {
  type: string;
  title: string;
  panels?: Panel[];
  targets?: { expr: string }[];
}
const dashboard = () =>
  JSON.parse(readFileSync(join(dir, 'dashboard.json'), 'utf8')) as {
    uid: string;
    title: string;
    panels: Panel[];
    templating: { list: { name: string; type: string }[] };
  };
const panelsOf = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...panelsOf(p.panels ?? [])]);

describe('the Grafana dashboard', () => {
  it('parses, reads the data source it is given, and every graph has a query', () => {
    const d = dashboard();
    expect(d.uid).toBe('faceit-discord-bridge');
    expect(d.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource' }),
    );
    const graphs = panelsOf(d.panels).filter((p) => p.type !== 'row');
    expect(graphs.length).toBeGreaterThan(15);
    for (const p of graphs) expect(p.targets?.length, p.title).toBeGreaterThan(0);
    // What the issue asks the dashboard to show.
    const titles = graphs.map((p) => p.title).join('\n');
    for (const want of [
      /queue and state/,
      /Webhooks/,
      /backlog/i,
      /latency/i,
      /Discord requests/,
      /429/,
      /shards/i,
      /FACEIT/,
      /links/i,
      /memory/i,
      /Event loop/,
    ]) {
      expect(titles).toMatch(want);
    }
  });
});

/** Metric names a PromQL expression reads (label values and strings left out). */
function metricsIn(expr: string): string[] {
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const names = bare.match(/\b(?:bridge[_:]|nodejs_|process_)[a-zA-Z0-9_:]*|\bup\b|\bALERTS\b/g) ?? [];
  return [...new Set(names)];
}
/** `name{label="…", …}` selectors of an expression: the label names each selects on. */
function selectorsIn(expr: string): { name: string; labels: string[] }[] {
  return [...expr.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}/g)].map((m) => ({
    name: m[1]!,
    labels: [...m[2]!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!=|!~|=)/g)].map((l) => l[1]!),
  }));
}

const test = stackTest();

describe('what the rules and the dashboard read', () => {
  test('is exported by a live API and worker (a renamed metric fails here, not on call)', async ({
    stack,
  }) => {
    const texts = [
      await scrape(stack.apis[0]!.metricsUrl),
      await scrape(await workerMetricsUrl(stack.workers[0]!)),
    ];
    const declared = new Map(texts.flatMap((t) => [...declaredMetrics(t)]));
    const samples = texts.flatMap((t) => parseExposition(t));
    const recorded = new Set(recordings.map((r) => r.record));
    const exprs = [
      ...alerts.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })),
      ...recordings.map((r) => ({ where: `record ${r.record}`, expr: r.expr })),
      ...panelsOf(dashboard().panels).flatMap((p) =>
        (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: t.expr })),
      ),
    ];
    const histogram = (name: string) => {
      const base = name.replace(/_(bucket|sum|count)$/, '');
      return base !== name && declared.get(base) === 'histogram';
    };
    const unknown: string[] = [];
    for (const { where, expr } of exprs) {
      for (const name of metricsIn(expr)) {
        const known = name.includes(':')
          ? recorded.has(name)
          : name === 'up' || name === 'ALERTS' || declared.has(name) || histogram(name);
        if (!known) unknown.push(`${where}: ${name}`);
      }
      // A label a selector filters on must be one the metric carries (checked where it has samples).
      for (const { name, labels } of selectorsIn(expr)) {
        const seen = samples.filter((s) => s.name === name);
        if (seen.length === 0 || name.includes(':')) continue;
        const carried = new Set(['job', 'instance', ...seen.flatMap((s) => Object.keys(s.labels))]);
        for (const l of labels) if (!carried.has(l)) unknown.push(`${where}: ${name}{${l}}`);
      }
    }
    expect(unknown).toEqual([]);
    // The check sees what it should: histograms, counters and gauges of both apps.
    expect(declared.get('bridge_match_ready_seconds')).toBe('histogram');
    expect(declared.get('bridge_webhooks_total')).toBe('counter');
    expect(declared.get('bridge_worker_ready')).toBe('gauge');
  });
});
