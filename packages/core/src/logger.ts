import { type DestinationStream, type Logger, pino } from 'pino';
import { censor, serializeError } from './log-scrub.ts';

export type { Logger };

/**
 * Paths pino blanks out wherever they appear in a log object. Secrets, tokens, OAuth codes and PKCE
 * verifiers must never reach a log line; the list covers the names this codebase and its libraries use.
 * A `code` that is a number or a Node error code stays readable (`censor`); errors are scrubbed by
 * their serializer (log-scrub.ts), which also finds secrets inside strings.
 */
export const redactPaths = [
  'password',
  'secret',
  'token',
  'code',
  'verifier',
  'codeVerifier',
  'code_verifier',
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'apiKey',
  'authorization',
  'cookie',
  '*.password',
  '*.secret',
  '*.token',
  '*.code',
  '*.verifier',
  '*.codeVerifier',
  '*.code_verifier',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.client_secret',
  '*.apiKey',
  '*.authorization',
  '*.cookie',
  'headers["x-faceit-webhook-secret"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["x-faceit-webhook-secret"]',
  'config.FACEIT_WEBHOOK_SECRET',
  'config.FACEIT_CLIENT_SECRET',
  'config.FACEIT_API_KEY',
  'config.DISCORD_TOKEN',
  'config.SUPABASE_SERVICE_ROLE_KEY',
  'config.ADMIN_PASSWORD',
];

export interface LoggerOptions {
  name: string;
  level?: string;
  /** Human-readable output (development); JSON otherwise. */
  pretty?: boolean;
  destination?: DestinationStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  const base = {
    name: opts.name,
    level: opts.level ?? 'info',
    redact: { paths: redactPaths, censor },
    serializers: { err: serializeError, error: serializeError, cause: serializeError },
    base: { app: opts.name, pid: process.pid },
  };
  if (opts.destination) return pino(base, opts.destination);
  if (opts.pretty) {
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,app' },
      },
    });
  }
  return pino(base);
}
