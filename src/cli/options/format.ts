/** The --format option as podman spells it: json, or a Go template. */
import type { OptionSpec } from '../spec.js';

export const formatOption: OptionSpec = {
  name: 'format',
  alias: 'f',
  type: 'string',
  valueName: 'FORMAT',
  describe: "'json', or a Go template such as '{{.Host.Kernel}}'",
  complete: ['json'],
};
