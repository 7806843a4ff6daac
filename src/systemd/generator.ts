/**
 * The systemd user generator (systemd.generator(7)): at every `systemctl
 * --user daemon-reload` (and the user manager's start), systemd runs it with
 * the directory to write units into; it reads the .container and .volume
 * files of the search path with their drop-ins, and writes a service for
 * each, plus the .wants/ links their [Install] section asks for (systemctl
 * enable cannot enable generated units). -dryrun prints the units instead.
 *
 * It runs in systemd's early, limited environment: no user namespace, no
 * tpod storage, nothing but reading files, so it never goes through the
 * launcher. Warnings and errors go to stderr, which systemd logs.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, posix, relative } from 'node:path';
import { QUADLET_ONLY_EXTENSIONS, QuadletError, type QuadletSource, SUPPORTED_EXTENSIONS, convert } from './quadlet.js';
import { UnitFile, UnitSyntaxError, splitWords } from './unit-file.js';

/** Where podman's Quadlet user generator is installed, when it is: it owns containers/systemd/ then. */
const PODMAN_GENERATORS = ['/run', '/etc', '/usr/local/lib', '/usr/lib'].map((d) => join(d, 'systemd/user-generators/podman-user-generator'));

export interface SearchPath {
  readonly dirs: readonly string[];
  /** Set when podman's generator reads containers/systemd/ and tpod's leaves it alone. */
  readonly note?: string;
}

/**
 * The directories read, first name wins: tpod's own, then Quadlet's rootless
 * ones (podman-systemd.unit(5)), unless podman's own generator is installed,
 * which would write the same service names. TPOD_QUADLET_UNIT_DIRS (colon
 * separated) replaces the list, for tests. Pure but for EXISTS.
 */
export function searchPath(env: NodeJS.ProcessEnv, uid: number, home: string, exists: (path: string) => boolean = existsSync): SearchPath {
  if (env.TPOD_QUADLET_UNIT_DIRS) return { dirs: env.TPOD_QUADLET_UNIT_DIRS.split(':').filter(Boolean) };
  const config = env.XDG_CONFIG_HOME || join(home, '.config');
  const runtime = env.XDG_RUNTIME_DIR || `/run/user/${uid}`;
  const own = join(config, 'tpod', 'systemd');
  const podman = PODMAN_GENERATORS.find(exists);
  if (podman) return { dirs: [own], note: `podman's generator (${podman}) serves containers/systemd/; tpod reads only ${own}` };
  return { dirs: [own, join(runtime, 'containers', 'systemd'), join(config, 'containers', 'systemd'), `/etc/containers/systemd/users/${uid}`, '/etc/containers/systemd/users'] };
}

/**
 * The drop-in directories of a unit, most specific first, as Quadlet and
 * systemd look for them: NAME.EXT.d, then each dash-truncated prefix
 * (foo-bar.container: foo-.container.d), then EXT.d for every unit of the kind. Pure.
 */
export function dropInDirs(fileName: string): string[] {
  const ext = posix.extname(fileName);
  const parts = fileName.slice(0, -ext.length).split('-');
  const truncated = parts.slice(0, -1).map((_, i) => `${parts.slice(0, i + 1).join('-')}-${ext}.d`).reverse();
  return [`${fileName}.d`, ...truncated, `${ext.slice(1)}.d`];
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** The unit with its drop-ins (*.conf, the first of a name found wins) merged in in name order. */
function withDropIns(source: QuadletSource, dirs: readonly string[]): QuadletSource {
  const found = new Map<string, string>();
  for (const dropIn of dropInDirs(source.fileName)) {
    for (const dir of dirs) {
      for (const name of listDir(join(dir, dropIn))) if (name.endsWith('.conf') && !found.has(name)) found.set(name, join(dir, dropIn, name));
    }
  }
  const unit = source.unit.clone();
  for (const name of [...found.keys()].sort()) unit.merge(UnitFile.parse(readFileSync(found.get(name)!, 'utf8')));
  return { ...source, unit };
}

/** Every unit file of the search path, the first of a name winning; unreadable ones reported. */
function loadSources(dirs: readonly string[], report: (line: string) => void, fail: (line: string) => void): QuadletSource[] {
  const seen = new Set<string>();
  const sources: QuadletSource[] = [];
  for (const dir of dirs) {
    for (const name of listDir(dir)) {
      const ext = posix.extname(name);
      if (QUADLET_ONLY_EXTENSIONS.includes(ext) && !seen.has(name)) report(`${join(dir, name)}: tpod makes services of .container and .volume files only: ignored`);
      if (!SUPPORTED_EXTENSIONS.includes(ext) || seen.has(name)) continue;
      seen.add(name);
      const path = join(dir, name);
      try {
        sources.push(withDropIns({ fileName: name, path, unit: UnitFile.parse(readFileSync(path, 'utf8')) }, dirs));
      } catch (err) {
        fail(`cannot load ${path}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
  return sources;
}

/** The .wants/.requires/.upholds links and aliases that [Install] asks for, relative to the output directory. */
export function installLinks(service: UnitFile, fileName: string): string[] {
  const words = (key: string) => service.all('Install', key).flatMap(splitWords);
  const links = words('Alias').map((a) => posix.normalize(a));
  // A template is enabled only through DefaultInstance=.
  let instance = fileName;
  if (fileName.endsWith('@.service')) {
    const def = service.get('Install', 'DefaultInstance');
    instance = def ? fileName.replace('@.service', `@${def}.service`) : '';
  }
  if (instance) {
    for (const [key, dir] of [['WantedBy', 'wants'], ['RequiredBy', 'requires'], ['UpheldBy', 'upholds']] as const) {
      for (const target of words(key)) if (!target.includes('/')) links.push(`${target}.${dir}/${instance}`);
    }
  }
  return links;
}

export interface GeneratorOptions {
  readonly dryRun: boolean;
  /** -v: name the directories read. */
  readonly verbose: boolean;
  /** Where systemd wants the units (the generator's first argument); unused with dryRun. */
  readonly outputDir?: string;
  readonly env: NodeJS.ProcessEnv;
  /** The tpod launcher the services run. */
  readonly tpod: string;
  readonly write: (text: string) => void;
  readonly report: (line: string) => void;
}

/** Runs the generator; returns how many units failed (0: all made). */
export function generate(options: GeneratorOptions): number {
  const uid = process.getuid?.() ?? 0;
  const path = searchPath(options.env, uid, options.env.HOME || homedir());
  if (path.note && (options.dryRun || options.verbose)) options.report(path.note);
  if (options.verbose) options.report(`reading ${path.dirs.join(', ')}`);
  let failed = 0;
  const fail = (line: string) => {
    failed++;
    options.report(line);
  };
  const sources = loadSources(path.dirs, options.report, fail);
  const byName = new Map(sources.map((s) => [s.fileName, s]));
  for (const source of sources) {
    let service;
    try {
      service = convert(source, { tpod: options.tpod, sources: byName });
    } catch (err) {
      if (!(err instanceof QuadletError || err instanceof UnitSyntaxError)) throw err;
      fail(`${source.path}: ${err.message}`);
      continue;
    }
    if (!service) continue;
    for (const w of service.warnings) options.report(w);
    const text = `# Automatically generated by tpod's user generator from ${source.path}\n\n${service.unit.toString()}`;
    if (options.dryRun) {
      options.write(`---${service.fileName}---\n${text}\n`);
      continue;
    }
    const out = options.outputDir!;
    writeFileSync(join(out, service.fileName), text);
    for (const link of installLinks(service.unit, service.fileName)) {
      const at = join(out, link);
      mkdirSync(dirname(at), { recursive: true });
      rmSync(at, { force: true });
      symlinkSync(relative(dirname(at), join(out, basename(service.fileName))), at);
    }
  }
  return failed;
}
