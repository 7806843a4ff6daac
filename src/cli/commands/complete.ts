import type { CommandSpec } from '../spec.js';

/** Placeholder until the completion engine lands (being written now). */
export const complete: CommandSpec = {
  name: '__complete',
  hidden: true,
  summary: 'Print completion candidates for the shell scripts in completions/',
  description: '',
  passThrough: true,
};
