// Emulated Discord (REST v10 + gateway) and FACEIT (Data API, OAuth, webhooks) that the real clients
// talk to, for tests and the demo. See packages/sandbox/README.md.
export * from './discord/index.ts';
export * from './faceit/index.ts';
export * from './world.ts';
