import { writeFileSync } from 'node:fs';
import { contextFromEnv } from '../../engine/context.js';
import { plainProgress, terminalProgress } from '../output/progress.js';
import { registryAccess, registryOptions } from '../options/registry.js';
import type { CommandSpec } from '../spec.js';

export const push: CommandSpec = {
  name: 'push',
  summary: 'Push an image to a registry',
  description: [
    'Sends IMAGE from local storage to DESTINATION, or to the registry IMAGE\'s own name names. The layers go as the blobs they were pulled as, so the pushed image has the same digests; blobs the registry already has are not sent again. Credentials come from podman\'s auth.json (see tpod-login(1)); DESTINATION may start with docker://.',
    'With --digestfile, the digest of the pushed manifest is written to a file, for scripts that refer to the image by digest.',
  ].join('\n\n'),
  positionals: [
    { name: 'image', describe: 'the image, by name or id' },
    { name: 'destination', describe: 'where to push: REGISTRY/NAME[:TAG]', optional: true },
  ],
  options: [
    ...registryOptions,
    { name: 'digestfile', type: 'string', valueName: 'PATH', describe: 'write the pushed manifest\'s digest to this file', complete: 'files' },
    { name: 'quiet', alias: 'q', type: 'boolean', describe: 'no progress output' },
  ],
  examples: [{ command: 'tpod push myapp registry.example.com/team/myapp:1.0', describe: 'push a local image under a registry name' }],
  differences: 'Only the docker:// transport (a registry) is supported; --compression-format, --sign-by and --format are not supported yet.',
  run: async (args) => {
    const { pushImage } = await import('../../engine/push.js');
    const ctx = contextFromEnv(process.env);
    const listener = args.quiet ? undefined : process.stderr.isTTY ? terminalProgress(process.stderr) : plainProgress(process.stderr);
    const digest = await pushImage(ctx.store(), ctx.registries(), String(args.image), args.destination as string | undefined, ctx.env, {
      ...registryAccess(args),
      ...(listener ? { listener } : {}),
    });
    if (args.digestfile) writeFileSync(String(args.digestfile), digest);
  },
};
