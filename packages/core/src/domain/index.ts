export * from './bot-permissions.ts';
export * from './channel-plan.ts';
export * from './events.ts';
export * from './follows.ts';
export * from './match-channels.ts';
export * from './overflow.ts';
export * from './overwrites.ts';
export * from './team-exit.ts';
