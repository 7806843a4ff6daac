import type { CommandSpec } from '../spec.js';
import { generateSystemd } from './generate-systemd.js';

export const generate: CommandSpec = {
  name: 'generate',
  summary: 'Generate configuration for other programs',
  description: 'Commands that write what other programs read about tpod\'s containers: systemd units.',
  subcommands: [generateSystemd],
};
