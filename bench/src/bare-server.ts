// The baseline for the intake benchmark: a bare Hono server on the same stack that only parses the
// JSON body and answers 202. Whatever the real intake costs on top of this is auth, validation, enqueue.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.post('/faceit-webhook', async (c) => {
  await c.req.json();
  return c.json({ status: 'accepted' }, 202);
});
serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`${JSON.stringify({ msg: 'api listening', port: info.port })}\n`);
});
