import type { JobHandlers } from '@bridge/core';
import type { FeatureHandle, WorkerDeps } from '../deps.ts';
import { linkAccountHandler } from '../jobs/link-account.ts';
import { levelsOnLink } from '../levels/apply.ts';

/** Account linking: the handler of the `links` job. */
export function startLinkFeature(
  deps: Pick<WorkerDeps, 'redis' | 'config' | 'oauth' | 'links' | 'client' | 'levels' | 'faceit'>,
): FeatureHandle & { handlers: Pick<JobHandlers, 'links'> } {
  const linkAccount = linkAccountHandler({
    redis: deps.redis,
    prefix: deps.config.QUEUE_PREFIX,
    oauth: deps.oauth,
    links: deps.links,
    client: deps.client,
    // The level read a sign-in triggers is interactive: it never delays a match's FACEIT requests.
    onLinked: (link, log) =>
      levelsOnLink(
        { ...deps, faceit: deps.faceit.interactive(deps.config.FACEIT_COMMAND_WAIT_MS) },
        link,
        log,
      ),
  });
  return { name: 'links', handlers: { links: { linkAccount } }, close: async () => {} };
}
