// The /rest/v1 gateway as a process (docker-compose's `gateway` service): Kong's role for supabase-js
// in front of PostgREST, when you run the stack without Supabase's hosted API gateway.
import { createRestGateway } from './gateway.ts';

const upstream = new URL(process.env.POSTGREST_URL ?? 'http://127.0.0.1:3000');
const apiKeys = [process.env.ANON_KEY, process.env.SERVICE_ROLE_KEY].filter((k): k is string => Boolean(k));
if (apiKeys.length === 0) {
  process.stderr.write(
    'gateway: ANON_KEY and/or SERVICE_ROLE_KEY must be set (./run gen-keys writes them into .env)\n',
  );
  process.exit(1);
}
const gateway = await createRestGateway({
  upstream: { host: upstream.hostname, port: Number(upstream.port || 80) },
  apiKeys,
  host: process.env.HOST ?? '0.0.0.0',
  port: Number(process.env.PORT ?? 8000),
});
process.stdout.write(
  `${JSON.stringify({ msg: 'gateway listening', url: gateway.url, upstream: upstream.origin })}\n`,
);
const stop = () => void gateway.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
