// Holds a test-bed Redis Cluster until a signal: what a test run does when Ctrl-C reaches it.
import { stopOnSignals } from '../src/cleanup.ts';
import { startRedisCluster } from '../src/redis-cluster.ts';

stopOnSignals({ say: (msg) => process.stdout.write(`${msg}\n`) });
const cluster = await startRedisCluster(3);
process.stdout.write(
  `cluster ${JSON.stringify({ url: cluster.url, pids: cluster.pids, dirs: cluster.dirs })}\n`,
);
setInterval(() => {}, 60_000);
