import { adminCommand } from './admin.ts';
import { guarded } from './guard.ts';
import { helpCommand } from './help.ts';
import { linkCommand } from './link.ts';
import { registerCommand } from './register.ts';
import { setupCommand } from './setup.ts';
import { statusCommand } from './status.ts';
import type { SlashCommand } from './types.ts';
import { unlinkCommand } from './unlink.ts';
import { whoamiCommand } from './whoami.ts';

/** Every slash command the worker registers in every guild; one file per command; each guarded (guard.ts). */
export const commands: SlashCommand[] = [
  linkCommand,
  registerCommand,
  unlinkCommand,
  whoamiCommand,
  adminCommand,
  setupCommand,
  statusCommand,
  helpCommand,
].map(guarded);
