/**
 * `tpod generate systemd`: the unit for a container (systemd/generate.ts),
 * from its record, printed or written to SERVICE.service.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TpodError } from '../errors.js';
import { GenerateError, type GenerateOptions, containerUnit } from '../systemd/generate.js';
import { stopTimeoutOf } from '../spec/stop.js';
import { Containers } from '../storage/containers.js';
import { tpodVersion } from '../version.js';
import { findContainer } from './containers.js';
import type { Context } from './context.js';
import { configOf } from './start.js';

export interface GeneratedUnit {
  readonly serviceName: string;
  readonly text: string;
}

/** The unit for NAMEORID; TAKESVALUE tells which of run's options take a value. Without a stop timeout, the container's. */
export function generateSystemd(ctx: Context, nameOrId: string, given: Omit<GenerateOptions, 'stopTimeout'> & { readonly stopTimeout?: number }, takesValue: (word: string) => boolean): GeneratedUnit {
  const c = findContainer(ctx, nameOrId);
  const options = { ...given, stopTimeout: given.stopTimeout ?? stopTimeoutOf(configOf(c)) };
  try {
    return containerUnit({
      tpod: fileURLToPath(new URL('../native/tpod', import.meta.url)),
      version: tpodVersion(),
      now: new Date(),
      container: {
        id: c.id,
        name: c.name,
        ...(c.createCommand ? { createCommand: c.createCommand } : {}),
        env: configOf(c).options.env ?? [],
        conmonPidFile: join(new Containers(ctx.store()).paths(c.id).bundle, 'conmon.pid'),
        runDir: ctx.paths.runtimeDir,
      },
      options,
      takesValue,
    });
  } catch (err) {
    if (err instanceof GenerateError) throw new TpodError(err.message);
    throw err;
  }
}

/** --files: the unit written as SERVICE.service in DIR; returns its path. */
export function writeUnit(unit: GeneratedUnit, dir: string): string {
  const path = resolve(dir, `${unit.serviceName}.service`);
  writeFileSync(path, unit.text);
  return path;
}
