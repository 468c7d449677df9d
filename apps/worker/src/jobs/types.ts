import type { Logger } from '@bridge/core';
import type { Job } from 'bullmq';

/** A job handler: validated data in, dependencies passed in, a JSON-able result out. */
export type JobHandler<D, R = unknown> = (data: D, ctx: { job: Job; log: Logger }) => Promise<R>;
