export { type MatchWorkerDeps, startMatchWorker } from './match-worker.ts';
