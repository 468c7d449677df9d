import type { z } from 'zod';

/** Raised when the environment does not satisfy an app's schema; one line per problem. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Parses `env` with `schema`. Problems name the variable and what is wrong with it, never its value,
 * so a secret that is set but malformed is not echoed to the terminal or a log collector.
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.infer<S> {
  // Empty strings mean "unset" (a `.env` line like `VC_LOBBY_CHANNEL_ID=`).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.join('.') || '(environment)';
    const missing = issue.code === 'invalid_type' && !(String(issue.path[0]) in cleaned);
    return `${key}: ${missing ? 'is required but not set' : issue.message}`;
  });
  throw new ConfigError(problems);
}

/** For an app's entry point: parse, or print each problem on its own line and exit 1. */
export function loadConfigOrExit<S extends z.ZodType>(
  schema: S,
  app: string,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  try {
    return parseEnv(schema, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${app}: cannot start, ${err.problems.length} configuration problem(s):\n`);
    for (const p of err.problems) process.stderr.write(`${app}: ${p}\n`);
    process.exit(1);
  }
}
