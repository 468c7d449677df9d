// Public entry of the FACEIT emulator.
export type { FaceitEmulator, FaceitEmulatorOptions } from './emulator.ts';
export { startFaceitEmulator } from './emulator.ts';
export { ID_TOKEN_MODES, type IdTokenMode } from './oauth.ts';
export type { ReceivedWebhook, ReceiverOptions, WebhookReceiver } from './receiver.ts';
export { startWebhookReceiver } from './receiver.ts';
export { shapeProblems } from './shape.ts';
export { CHAMPIONSHIP_TIMELINE } from './timeline.ts';
export type * from './types.ts';
export { MATCH_STATUSES, WEBHOOK_EVENTS } from './types.ts';
export { DEFAULT_SECRET_HEADER } from './webhook-driver.ts';
