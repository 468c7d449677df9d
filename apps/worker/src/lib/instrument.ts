import { failedForGood, type Metrics } from '@bridge/core';
import type { Worker } from 'bullmq';
import type { Client } from 'discord.js';

/** Counts a BullMQ worker's jobs by outcome and records how long each took. */
export function instrumentWorker(metrics: Metrics, worker: Worker): void {
  const queue = worker.name;
  worker.on('completed', (job) => {
    metrics.jobs.inc({ queue, name: job.name, outcome: 'completed' });
    if (job.processedOn && job.finishedOn) {
      metrics.jobDuration.observe({ queue, name: job.name }, (job.finishedOn - job.processedOn) / 1000);
    }
  });
  // Stalled jobs go back to the queue (WORKER_STALL_OPTIONS); counted so repeated stalls can alert.
  worker.on('stalled', () => metrics.jobsStalled.inc({ queue }));
  worker.on('failed', (job) => {
    if (!job) return;
    metrics.jobs.inc({ queue, name: job.name, outcome: failedForGood(job) ? 'failed' : 'retried' });
  });
}

/**
 * Counts Discord REST responses, the 429s among them (with Discord's scope: user, global, shared), and
 * discord.js' own pre-emptive waits. A sublimit 429 never fires `rateLimited`: only the response shows it.
 */
export function instrumentDiscord(metrics: Metrics, client: Client): void {
  client.rest.on('response', (request, response) => {
    metrics.discordRequests.inc({
      method: request.method,
      route: request.route,
      status: String(response.status),
    });
    if (response.status === 429) {
      metrics.discord429.inc({
        route: request.route,
        scope: response.headers.get('x-ratelimit-scope') ?? 'user',
      });
    }
  });
  client.rest.on('rateLimited', (info) => {
    metrics.discordRateLimits.inc({ route: info.route, global: String(info.global) });
  });
}
