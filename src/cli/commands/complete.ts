import { completeWords } from '../completion.js';
import { type CommandSpec, globalOptions, passedThrough } from '../spec.js';

/**
 * What the scripts in completions/ call at each TAB, as podman's call cobra's
 * `__complete`: one candidate a line, then `:DIRECTIVE` (none, files,
 * directories or commands), which tells the shell what to complete by itself.
 */
export const complete: CommandSpec = {
  name: '__complete',
  hidden: true,
  summary: 'Print completion candidates for the shell scripts in completions/',
  description:
    'Prints the words that may go where the last of WORDS stands, one a line, then a line :DIRECTIVE: none, or files, directories or commands for the shell to complete by itself.',
  positionals: [{ name: 'words', describe: 'the words after tpod, the last one under the cursor', optional: true, variadic: true }],
  // So that the words, options among them, reach run unparsed.
  passThrough: true,
  run: async (args) => {
    // Lazily: the registry imports this module.
    const { commands } = await import('../registry.js');
    const { candidates, directive } = completeWords(commands, globalOptions, passedThrough(args));
    process.stdout.write([...candidates, `:${directive}`].join('\n') + '\n');
  },
};
