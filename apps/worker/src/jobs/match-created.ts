import type { MatchJobData } from '@bridge/core';
import type { JobHandler } from './types.ts';

/** Skeleton: the real convergence (channels, permissions, moves) lands with the match-lifecycle work. */
export function matchCreatedHandler(): JobHandler<MatchJobData> {
  return async (data, { log }) => {
    log.info({ payloadVersion: data.payloadVersion }, 'matchCreated received');
    return { status: 'logged' };
  };
}
