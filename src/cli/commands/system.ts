import type { CommandSpec } from '../spec.js';
import { systemMigrate } from './system-migrate.js';
import { systemReset } from './system-reset.js';

export const system: CommandSpec = {
  name: 'system',
  summary: "Manage tpod's namespace and storage",
  description: 'Commands that act on tpod as a whole rather than on one container or image.',
  subcommands: [systemMigrate, systemReset],
};
