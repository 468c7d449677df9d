/** Every REST route the emulator serves under /api/v10. */
import type { RouteDef } from '../router.ts';
import { channelRoutes } from './channels.ts';
import { commandRoutes } from './commands.ts';
import { guildRoutes } from './guilds.ts';
import { interactionRoutes } from './interactions.ts';
import { messageRoutes } from './messages.ts';
import { metaRoutes } from './meta.ts';
import { roleRoutes } from './roles.ts';
import { voiceStatusRoutes } from './voice-status.ts';

export const allRoutes: RouteDef[] = [
  ...metaRoutes,
  ...commandRoutes,
  ...guildRoutes,
  ...roleRoutes,
  ...channelRoutes,
  ...messageRoutes,
  ...interactionRoutes,
  ...voiceStatusRoutes,
];
