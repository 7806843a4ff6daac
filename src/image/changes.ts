/**
 * --change instructions (`tpod import --change 'CMD ["sh"]'`): the
 * Containerfile instructions that only set image config. Pure.
 */
import { TpodError } from '../errors.js';
import type { ImageConfig } from './manifest.js';

type Settings = NonNullable<ImageConfig['config']>;

/** VALUE when it is a JSON array of strings, as the exec form of a Containerfile instruction. */
function jsonArray(value: string): string[] | undefined {
  if (!value.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) && parsed.every((p) => typeof p === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The exec form as it is, or the shell form run through /bin/sh -c. */
function command(value: string): string[] {
  return jsonArray(value) ?? ['/bin/sh', '-c', value];
}

/** A JSON array, or words separated by spaces (EXPOSE, VOLUME). */
function words(value: string): string[] {
  return jsonArray(value) ?? value.split(/\s+/);
}

/** KEY=VALUE pairs, or the old "KEY VALUE" form for a single pair. */
function pairs(value: string, instruction: string): [string, string][] {
  if (!value.includes('=')) {
    const space = value.indexOf(' ');
    if (space < 0) throw new TpodError(`--change ${instruction} ${value}: expected KEY=VALUE`);
    return [[value.slice(0, space), value.slice(space + 1).trim()]];
  }
  return (value.match(/(?:[^\s"]+|"[^"]*")+/g) ?? []).map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new TpodError(`--change ${instruction} ${value}: expected KEY=VALUE`);
    return [pair.slice(0, eq), pair.slice(eq + 1).replace(/^"(.*)"$/, '$1')];
  });
}

export function applyChange(settings: Settings, change: string): Settings {
  const match = /^\s*(\w+)\s+(.*)$/s.exec(change);
  if (!match) throw new TpodError(`--change "${change}": expected INSTRUCTION VALUE`);
  const instruction = match[1]!.toUpperCase();
  const value = match[2]!.trim();
  switch (instruction) {
    case 'CMD':
      return { ...settings, Cmd: command(value) };
    case 'ENTRYPOINT':
      return { ...settings, Entrypoint: command(value) };
    case 'ENV': {
      const env = new Map((settings.Env ?? []).map((e) => [e.split('=')[0]!, e] as const));
      for (const [k, v] of pairs(value, instruction)) env.set(k, `${k}=${v}`);
      return { ...settings, Env: [...env.values()] };
    }
    case 'LABEL':
      return { ...settings, Labels: { ...settings.Labels, ...Object.fromEntries(pairs(value, instruction)) } };
    case 'EXPOSE':
      return { ...settings, ExposedPorts: { ...settings.ExposedPorts, ...Object.fromEntries(words(value).map((p) => [p.includes('/') ? p : `${p}/tcp`, {}])) } };
    case 'VOLUME':
      return { ...settings, Volumes: { ...settings.Volumes, ...Object.fromEntries(words(value).map((v) => [v, {}])) } };
    case 'USER':
      return { ...settings, User: value };
    case 'WORKDIR':
      return { ...settings, WorkingDir: value };
    case 'STOPSIGNAL':
      return { ...settings, StopSignal: value };
    default:
      throw new TpodError(`--change ${instruction}: not one of CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR`);
  }
}
