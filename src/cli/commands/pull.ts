import { contextFromEnv } from '../../engine/context.js';
import { type Platform, hostPlatform, parsePlatform } from '../../image/manifest.js';
import { plainProgress, terminalProgress } from '../output/progress.js';
import { registryAccess, registryOptions } from '../options/registry.js';
import type { Args, CommandSpec } from '../spec.js';

/** --platform, or the host's platform with --os, --arch, --variant replacing its parts. */
function platformFrom(args: Args): Platform {
  if (args.platform) return parsePlatform(String(args.platform));
  const host = hostPlatform();
  const architecture = (args.arch as string | undefined) ?? host.architecture;
  const variant = (args.variant as string | undefined) ?? (architecture === host.architecture ? host.variant : undefined);
  return { os: (args.os as string | undefined) ?? host.os, architecture, ...(variant ? { variant } : {}) };
}

export const pull: CommandSpec = {
  name: 'pull',
  summary: 'Pull an image from a registry',
  description: [
    'Pulls IMAGE into local storage and prints its id. A short name such as alpine is tried at each unqualified-search registry of registries.conf in turn (docker.io when none is configured), after its aliases; a name with a registry, such as quay.io/podman/hello, is pulled from there, or from its mirrors first when registries.conf lists them.',
    'From an image index (a multi-architecture image) the image for this host is taken, or the one --platform, --arch, --os or --variant names. Every manifest, config and layer is checked against its digest before it is kept, and the image appears in storage only once all of it is in place, so a pull that fails or is killed leaves nothing half there. Layers already in storage are not fetched again.',
    'Credentials come from podman\'s auth.json (see tpod-login(1)). On a terminal, progress is shown per layer; otherwise one line per step, on standard error.',
  ].join('\n\n'),
  positionals: [{ name: 'image', describe: 'the image to pull: NAME[:TAG] or NAME@DIGEST' }],
  options: [
    ...registryOptions,
    { name: 'platform', type: 'string', valueName: 'OS/ARCH[/VARIANT]', describe: 'the platform to pick from a multi-architecture image' },
    { name: 'arch', type: 'string', valueName: 'ARCH', describe: 'the architecture to pick, instead of this host\'s', complete: ['amd64', 'arm64', 'arm', '386', 'ppc64le', 's390x', 'riscv64'] },
    { name: 'os', type: 'string', valueName: 'OS', describe: 'the operating system to pick, instead of linux' },
    { name: 'variant', type: 'string', valueName: 'VARIANT', describe: 'the architecture variant to pick, such as v7 or v8' },
    { name: 'quiet', alias: 'q', type: 'boolean', describe: 'print only the image id, no progress' },
  ],
  examples: [
    { command: 'tpod pull alpine', describe: 'docker.io/library/alpine:latest, unless registries.conf says otherwise' },
    { command: 'tpod pull --arch arm64 docker.io/library/alpine:3.20', describe: 'the arm64 image of a multi-architecture tag' },
    { command: 'tpod pull --tls-verify=false localhost:5000/app', describe: 'from a local registry without TLS' },
  ],
  differences:
    'A short name is never asked about interactively: short-name-mode is read but tpod behaves as in permissive mode. With no unqualified-search registries configured, tpod uses docker.io where podman refuses the short name. --all-tags, --creds and signature policies are not supported yet.',
  run: async (args) => {
    const { pullImage } = await import('../../engine/pull.js');
    const ctx = contextFromEnv(process.env);
    const listener = args.quiet ? undefined : process.stderr.isTTY ? terminalProgress(process.stderr) : plainProgress(process.stderr);
    const report = await pullImage(ctx.store(), ctx.registries(), String(args.image), ctx.env, {
      ...registryAccess(args),
      platform: platformFrom(args),
      ...(listener ? { listener } : {}),
    });
    process.stdout.write(`${report.image.id}\n`);
  },
};
