import { contextFromEnv } from '../../engine/context.js';
import { formatOption } from '../options/format.js';
import { printReport } from '../output/print.js';
import { toYaml } from '../output/yaml.js';
import type { CommandSpec } from '../spec.js';

export const info: CommandSpec = {
  name: 'info',
  summary: 'Show what tpod found on this host and what it will use',
  description: [
    'Shows the host (kernel, distribution) and the user namespace\'s id mappings. Then what tpod will use, and why: the storage driver for container root filesystems (the kernel overlay in the user namespace, else fuse-overlayfs, else plain copies), the OCI runtime (each one found, and whether it works here), the network helper (pasta, else slirp4netns) and conmon.',
    'It also shows the cgroup version, whether systemd delegates resource control to you, and the storage and run directories.',
    'The last section, problems, lists in one line each what cannot work on this host and what to install or change.',
  ].join('\n\n'),
  options: [formatOption('{{.Host.Kernel}}')],
  examples: [
    { command: 'tpod info', describe: 'everything, as YAML' },
    { command: "tpod info --format '{{.Store.GraphDriverName}}'", describe: 'one field' },
  ],
  differences:
    "Field names follow podman's where both have the same thing; tpod adds the reason for each choice and a problems list.",
  run: async (args) => {
    const { gatherInfo } = await import('../../engine/info.js');
    const report = await gatherInfo(contextFromEnv(process.env));
    printReport(report, args.format as string | undefined, () => toYaml(report));
  },
};
