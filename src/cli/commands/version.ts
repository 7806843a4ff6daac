import { arch, platform } from 'node:process';
import { formatOption } from '../options/format.js';
import { printReport } from '../output/print.js';
import type { CommandSpec } from '../spec.js';
import { tpodVersion } from '../../version.js';

const goArch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };

export const version: CommandSpec = {
  name: 'version',
  summary: 'Show the tpod version',
  description: 'Shows the version of tpod, of the Node.js that runs it, and the operating system and architecture.',
  options: [formatOption('{{.Client.Version}}')],
  examples: [{ command: "tpod version --format '{{.Client.Version}}'", describe: 'only the version number' }],
  run: async (args) => {
    const client = {
      Version: tpodVersion(),
      NodeVersion: process.version,
      Os: platform,
      OsArch: `${platform}/${goArch[arch] ?? arch}`,
    };
    printReport({ Client: client }, args.format as string | undefined, () =>
      [`Version:      ${client.Version}`, `Node Version: ${client.NodeVersion}`, `OS/Arch:      ${client.OsArch}`, ''].join('\n'),
    );
  },
};
