import type { FeatureHandle, WorkerDeps } from '../deps.ts';

/** Account linking: the `links` queue consumer. */
export async function startLinkFeature(_deps: WorkerDeps): Promise<FeatureHandle> {
  return { name: 'links', close: async () => {} };
}
