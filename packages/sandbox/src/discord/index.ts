/** Discord REST v10 + gateway emulator for running real discord.js against 127.0.0.1. See docs/discord.md. */
export { REPORTED_DAILY_CREATES } from './daily-cap.ts';
export { DiscordEmulator, type DiscordEmulatorOptions, startDiscordEmulator } from './emulator.ts';
export type { FaultSpec, RequestHold } from './faults.ts';
export type {
  InteractionMessage,
  InteractionRecord,
  InteractionResponse,
  InteractionView,
  InvokeCommandInput,
  OptionValue,
} from './interactions.ts';
export {
  ALL_PERMISSIONS,
  DEFAULT_BOT_PERMISSIONS,
  DEFAULT_EVERYONE_PERMISSIONS,
  Permission,
} from './permissions.ts';
export type { BucketConfig, RateLimitOptions } from './ratelimit.ts';
export { type LiveInterval, type SessionLogEntry, type ShardOverlap, shardOverlaps } from './session-log.ts';
export type { DiscordStats } from './stats.ts';
export type { ChannelKind, DmRecord, GuildSeed, GuildSpec, MemberSpec, StateSnapshot } from './types.ts';
