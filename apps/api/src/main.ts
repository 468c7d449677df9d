import { apiConfigSchema, createLogger, loadConfigOrExit, onShutdown } from '@bridge/core';
import { createApiDeps } from './create-deps.ts';
import { startMetricsServer } from './metrics-server.ts';
import { startApi } from './server.ts';

const config = loadConfigOrExit(apiConfigSchema, 'api');
const log = createLogger({ name: 'api', level: config.LOG_LEVEL, pretty: config.NODE_ENV === 'development' });

const deps = createApiDeps(config, log);

const api = await startApi(deps, { port: config.PORT, host: config.HOST });
const metricsServer = await startMetricsServer(deps.metrics, {
  port: config.API_METRICS_PORT,
  host: config.HOST,
});
// Before the line that says the API is up: whoever reads it may signal at once.
onShutdown(log, { timeoutMs: 10_000, draining: 'no new requests, finishing in-flight ones' }, async () => {
  await api.close();
  await metricsServer.close();
  await deps.close();
});
log.info(
  {
    url: api.url,
    metrics: `${metricsServer.url}/metrics`,
    webhook: `${api.url}/faceit-webhook`,
    header: config.FACEIT_WEBHOOK_HEADER,
    queryParam: config.FACEIT_WEBHOOK_QUERY_PARAM ?? null,
  },
  'api listening',
);
