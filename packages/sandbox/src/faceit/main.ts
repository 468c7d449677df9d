// Standalone FACEIT emulator for out-of-process use (the demo):
//   node packages/sandbox/src/faceit/main.ts --port 4100 --api-key dev-key --client-id <uuid> \
//     --client-secret dev-secret --redirect-uri http://127.0.0.1:3000/auth/faceit/callback
// Prints the emulator's config as one JSON line, then serves until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { startFaceitEmulator } from './emulator.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.FACEIT_SANDBOX_PORT ?? '0' },
    'api-key': { type: 'string', default: process.env.FACEIT_SANDBOX_API_KEY },
    'client-id': { type: 'string', default: process.env.FACEIT_SANDBOX_CLIENT_ID },
    'client-secret': { type: 'string', default: process.env.FACEIT_SANDBOX_CLIENT_SECRET },
    'redirect-uri': { type: 'string', multiple: true, default: [] },
    'rate-limit': { type: 'string' },
    issuer: { type: 'string' },
  },
});

const emu = await startFaceitEmulator({
  port: Number(values.port),
  apiKey: values['api-key'],
  clientId: values['client-id'],
  clientSecret: values['client-secret'],
  redirectUris: values['redirect-uri'],
  rateLimitPerSecond: values['rate-limit'] ? Number(values['rate-limit']) : undefined,
  issuer: values.issuer,
});
process.stdout.write(
  `${JSON.stringify({
    url: emu.url,
    dataApiUrl: emu.dataApiUrl,
    authUrl: emu.authUrl,
    tokenUrl: emu.tokenUrl,
    userinfoUrl: emu.userinfoUrl,
    issuer: emu.issuer,
    controlUrl: emu.controlUrl,
    apiKey: emu.apiKey,
    clientId: emu.clientId,
    clientSecret: emu.clientSecret,
  })}\n`,
);
const stop = () => void emu.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
