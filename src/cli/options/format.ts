/** The --format option as podman spells it: json, or a Go template. */
import type { OptionSpec } from '../spec.js';

export function formatOption(example: string): OptionSpec {
  return {
    name: 'format',
    alias: 'f',
    type: 'string',
    valueName: 'FORMAT',
    describe: `'json', or a Go template such as '${example}'`,
    complete: ['json'],
  };
}
