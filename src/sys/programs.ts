/** Finding helper programs and asking their versions. */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

/** Where Debian and Fedora put helpers a user's PATH may lack. */
const EXTRA_DIRS = ['/usr/local/bin', '/usr/bin', '/usr/sbin', '/bin', '/sbin', '/usr/libexec/podman'];

export function findProgram(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of [...searchPath.split(':').filter(Boolean), ...EXTRA_DIRS]) {
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The version number NAME prints for --version, or its first line when it prints none. */
export function parseVersion(output: string, name: string): string {
  // Prefer NAME's own line (fuse-overlayfs prints fusermount3's version first);
  // skip licence lines ("GNU Affero GPL version 3" is not pasta's version).
  const lines = output.split('\n').filter((l) => !/GPL|licen[cs]e|copyright/i.test(l));
  const first = output.split('\n')[0]!.trim();
  const versionIn = (text: string) => /\bversion:?\s+v?(\d[\w.+~-]*)/i.exec(text)?.[1];
  const found =
    versionIn(lines.filter((l) => l.includes(name)).join('\n')) ?? versionIn(lines.join('\n')) ?? /\bv?(\d+\.\d+[\w.+~-]*)/.exec(first)?.[1];
  return found ?? (/unknown version/i.test(first) ? 'unknown' : first);
}

export function programVersion(path: string, name: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(path, ['--version'], { timeout: 5000 }, (_err, stdout, stderr) => resolve(parseVersion(`${stdout}\n${stderr}`.trim(), name)));
  });
}

export interface ProgramInfo {
  readonly name: string;
  readonly path: string | undefined;
  readonly version: string | undefined;
}

export async function describeProgram(name: string): Promise<ProgramInfo> {
  const path = findProgram(name);
  return { name, path, version: path ? await programVersion(path, name) : undefined };
}
