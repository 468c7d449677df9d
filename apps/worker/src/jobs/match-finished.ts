import type { MatchJobData } from '@bridge/core';
import type { JobHandler } from './types.ts';

/** Skeleton: the real cleanup lands with the match-lifecycle work. */
export function matchFinishedHandler(): JobHandler<MatchJobData> {
  return async (data, { log }) => {
    log.info({ payloadVersion: data.payloadVersion }, 'matchFinished received');
    return { status: 'logged' };
  };
}
