import { TpodError } from '../../errors.js';
import type { CommandSpec } from '../spec.js';

export const help: CommandSpec = {
  name: 'help',
  summary: 'Show help for tpod or one of its commands',
  description: 'Shows the same text as `tpod COMMAND --help`.',
  podmanPage: 'podman',
  positionals: [{ name: 'command', describe: 'the command, with its subcommand if any', optional: true, variadic: true, complete: 'tpod-commands' }],
  run: async (args) => {
    // Lazily: main and the registry import this module.
    const [{ buildParser }, { commands }] = await Promise.all([import('../../main.js'), import('../registry.js')]);
    const words = ((args.command as string[] | undefined) ?? []).map(String);
    let level: readonly CommandSpec[] = commands;
    for (const word of words) {
      const spec = level.find((c) => c.name === word || c.aliases?.includes(word));
      if (!spec) throw new TpodError(`unknown command "${words.join(' ')}"`, { hint: "see 'tpod --help'" });
      level = spec.subcommands ?? [];
    }
    await buildParser([...words, '--help']).parseAsync();
  },
};
