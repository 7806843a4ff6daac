/**
 * One registry of each flavour for the whole run. Tests read them with
 * `inject('registries')`; when that is undefined, `inject('registriesMissing')`
 * says which Debian packages to install, and the tests skip with it.
 */
import type { TestProject } from 'vitest/node';
import { type Registry, TEST_CREDENTIALS, missingPackages, startRegistry } from './server.js';

export interface TestRegistries {
  /** host:port of each flavour, plain HTTP on 127.0.0.1. */
  open: string;
  basic: string;
  token: string;
  /** The account both basic and token accept. */
  username: string;
  password: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    registries: TestRegistries | undefined;
    registriesMissing: string | undefined;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const missing = missingPackages();
  if (missing.length) {
    project.provide('registries', undefined);
    project.provide('registriesMissing', `needs the Debian package(s) ${missing.join(', ')}: run \`npm test\` as root to install them`);
    return async () => {};
  }
  // Installed but failing to start is a fault to see, not a reason to skip: let it throw.
  const started = await Promise.allSettled((['open', 'basic', 'token'] as const).map((f) => startRegistry(f)));
  const registries = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stopAll = async () => void (await Promise.all(registries.map((r) => r.stop())));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await stopAll();
    throw failed.reason;
  }
  const [open, basic, token] = registries as [Registry, Registry, Registry];
  project.provide('registries', { open: open.host, basic: basic.host, token: token.host, ...TEST_CREDENTIALS });
  project.provide('registriesMissing', undefined);
  return stopAll;
}
