export { type RunningWorker, startWorkerApp } from './app.ts';
export type { FeatureHandle, WorkerDeps } from './deps.ts';
export { type MatchWorkerDeps, startMatchWorker } from './match-worker.ts';
