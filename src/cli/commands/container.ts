import type { CommandSpec } from '../spec.js';
import { containerCleanup } from './container-cleanup.js';
import { containerInspect } from './container-inspect.js';
import { containerPrune } from './container-prune.js';

export const container: CommandSpec = {
  name: 'container',
  summary: 'Manage containers',
  description: 'Commands for containers; the common ones (run, ps, rm, ...) are also top-level commands.',
  subcommands: [containerCleanup, containerInspect, containerPrune],
};
