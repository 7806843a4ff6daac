/**
 * podman's registries.conf (containers-registries.conf(5), version 2) and its drop-ins
 * (containers-registries.conf.d(5)), so that a podman user's short names, aliases, mirrors,
 * insecure and blocked registries serve tpod unchanged. Everything but loadRegistriesConf is pure.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
// smol-toml: a small, dependency-free TOML 1.0 parser that reports the line of a syntax error.
import { parse as parseToml, TomlError } from 'smol-toml';
import { errnoCode, TpodError } from '../errors.js';
import {
  DOCKER_HUB,
  formatReference,
  isRegistryHost,
  parseReference,
  qualify,
  type ImageReference,
  type ParsedReference,
} from '../image/reference.js';

/**
 * tpod never prompts for a short name: every mode behaves as podman's permissive mode does
 * without a terminal, trying the search registries in order. The mode is read only so that a
 * wrong value is reported as podman would.
 */
export type ShortNameMode = 'enforcing' | 'permissive' | 'disabled';
const SHORT_NAME_MODES: readonly string[] = ['enforcing', 'permissive', 'disabled'];

export type PullFromMirror = 'all' | 'digest-only' | 'tag-only';
const PULL_FROM_MIRROR: readonly string[] = ['all', 'digest-only', 'tag-only'];

export interface MirrorEntry {
  readonly location: string;
  readonly insecure: boolean;
  readonly pullFromMirror: PullFromMirror;
}

export interface RegistryEntry {
  readonly prefix: string;
  /** '' only with a `*.example.com` prefix: the reference is used as it is. */
  readonly location: string;
  readonly insecure: boolean;
  readonly blocked: boolean;
  readonly mirrorByDigestOnly: boolean;
  readonly mirrors: readonly MirrorEntry[];
}

export interface RegistriesConf {
  /** undefined when not set, so that a drop-in without it keeps the earlier list. */
  readonly unqualifiedSearchRegistries: readonly string[] | undefined;
  readonly registries: readonly RegistryEntry[];
  /** Short name -> qualified repository; undefined erases an alias of an earlier file. */
  readonly aliases: ReadonlyMap<string, ImageReference | undefined>;
  readonly shortNameMode: ShortNameMode | undefined;
}

/** Where to pull a reference from: its mirrors first, in order, then its location. */
export interface RegistryAccess {
  readonly location: ImageReference;
  readonly insecure: boolean;
  readonly blocked: boolean;
  readonly mirrors: readonly { readonly location: ImageReference; readonly insecure: boolean }[];
}

const EMPTY: RegistriesConf = { unqualifiedSearchRegistries: undefined, registries: [], aliases: new Map(), shortNameMode: undefined };

type Table = Record<string, unknown>;

const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** Reads one file's text; `file` names it in errors. */
export function parseRegistriesConf(text: string, file = 'registries.conf'): RegistriesConf {
  const fail = (why: string) => new TpodError(`${file}: ${why}`);
  let doc: Table;
  try {
    doc = parseToml(text);
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    // smol-toml appends a code frame after a blank line; the first line is the reason.
    const reason = err.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
    throw fail(`line ${err.line}: ${reason}`);
  }
  if (isTable(doc.registries)) throw fail('the version 1 format ([registries.search] ...) is not supported; use unqualified-search-registries and [[registry]] tables (containers-registries.conf(5))');

  const str = (t: Table, key: string, where: string): string => {
    const v = t[key] ?? '';
    if (typeof v !== 'string') throw fail(`${where}${key} must be a string`);
    return v;
  };
  const bool = (t: Table, key: string, where: string): boolean => {
    const v = t[key] ?? false;
    if (typeof v !== 'boolean') throw fail(`${where}${key} must be true or false`);
    return v;
  };
  const tables = (t: Table, key: string, where: string): Table[] => {
    const v = t[key] ?? [];
    if (!Array.isArray(v) || !v.every(isTable)) throw fail(`${where}${key} must be an array of tables ([[${where}${key}]])`);
    return v;
  };
  // podman drops trailing slashes and refuses URLs: a location is host[:port][/namespace...].
  const location = (t: Table, key: string, where: string): string => {
    const v = str(t, key, where).replace(/\/+$/, '');
    if (/^https?:\/\//.test(v)) throw fail(`${where}${key} "${v}": URI schemes are not supported, write host[:port][/namespace]`);
    return v;
  };

  const registries: RegistryEntry[] = [];
  for (const reg of tables(doc, 'registry', '')) {
    const loc = location(reg, 'location', 'registry.');
    const prefix = location(reg, 'prefix', 'registry.') || loc;
    if (!prefix) throw fail('a [[registry]] sets neither prefix nor location');
    const wildcard = prefix.startsWith('*.');
    if (wildcard && /[/@:]/.test(prefix)) throw fail(`prefix "${prefix}": a wildcard prefix must be of the form *.example.com`);
    if (!loc && !wildcard) throw fail(`registry "${prefix}" has no location; only a *.example.com prefix may omit it`);
    const mirrorByDigestOnly = bool(reg, 'mirror-by-digest-only', 'registry.');
    const mirrors = tables(reg, 'mirror', 'registry.').map((m): MirrorEntry => {
      const mirrorLocation = location(m, 'location', 'registry.mirror.');
      if (!mirrorLocation) throw fail(`a mirror of "${prefix}" has no location`);
      const pull = str(m, 'pull-from-mirror', 'registry.mirror.') || 'all';
      if (!PULL_FROM_MIRROR.includes(pull)) throw fail(`mirror "${mirrorLocation}": pull-from-mirror must be all, digest-only or tag-only`);
      if (mirrorByDigestOnly && m['pull-from-mirror'] !== undefined) throw fail(`registry "${prefix}" sets both mirror-by-digest-only and pull-from-mirror`);
      return { location: mirrorLocation, insecure: bool(m, 'insecure', 'registry.mirror.'), pullFromMirror: pull as PullFromMirror };
    });
    // Within one file the first table for a prefix wins, as in podman.
    if (registries.some((r) => r.prefix === prefix)) continue;
    registries.push({ prefix, location: loc, insecure: bool(reg, 'insecure', 'registry.'), blocked: bool(reg, 'blocked', 'registry.'), mirrorByDigestOnly, mirrors });
  }

  let unqualifiedSearchRegistries: string[] | undefined;
  const search = doc['unqualified-search-registries'];
  if (search !== undefined) {
    if (!Array.isArray(search) || !search.every((s) => typeof s === 'string')) throw fail('unqualified-search-registries must be an array of strings');
    unqualifiedSearchRegistries = search.map((s: string) => s.replace(/\/+$/, ''));
    const bad = unqualifiedSearchRegistries.find((s) => !isRegistryHost(s));
    if (bad !== undefined) throw fail(`unqualified-search-registries: "${bad}" is not a registry host[:port]`);
  }

  const mode = str(doc, 'short-name-mode', '');
  if (mode && !SHORT_NAME_MODES.includes(mode)) throw fail(`short-name-mode "${mode}" must be enforcing, permissive or disabled`);

  const aliases = new Map<string, ImageReference | undefined>();
  const aliasTable = doc.aliases ?? {};
  if (!isTable(aliasTable)) throw fail('aliases must be a table ([aliases])');
  for (const [name, value] of Object.entries(aliasTable)) {
    aliases.set(name, parseAlias(name, value, fail));
  }

  return { unqualifiedSearchRegistries, registries, aliases, shortNameMode: mode ? (mode as ShortNameMode) : undefined };
}

/** An alias maps a short name without tag or digest to a qualified name without either. */
function parseAlias(name: string, value: unknown, fail: (why: string) => TpodError): ImageReference | undefined {
  const reference = (s: string) => {
    try {
      return parseReference(s);
    } catch (err) {
      throw fail(`[aliases] ${(err as Error).message}`);
    }
  };
  const key = reference(name);
  if (key.registry !== undefined) throw fail(`alias "${name}": an alias must be a short name, without a registry`);
  if (key.tag !== undefined || key.digest !== undefined) throw fail(`alias "${name}": an alias must not have a tag or digest`);
  if (typeof value !== 'string') throw fail(`alias "${name}" must be a string`);
  if (value === '') return undefined;
  const target = reference(value);
  if (target.registry === undefined) throw fail(`alias "${name}" = "${value}": the value must name its registry`);
  if (target.tag !== undefined || target.digest !== undefined) throw fail(`alias "${name}" = "${value}": the value must not have a tag or digest`);
  return qualify(target, target.registry);
}

/**
 * Later files override earlier ones key by key: the search list and mode when set, a
 * [[registry]] table by its prefix, an alias by its name (containers-registries.conf.d(5)).
 */
export function mergeRegistriesConf(list: readonly RegistriesConf[]): RegistriesConf {
  return list.reduce(
    (acc, next) => ({
      unqualifiedSearchRegistries: next.unqualifiedSearchRegistries ?? acc.unqualifiedSearchRegistries,
      registries: [...acc.registries.filter((r) => !next.registries.some((n) => n.prefix === r.prefix)), ...next.registries],
      aliases: new Map([...acc.aliases, ...next.aliases]),
      shortNameMode: next.shortNameMode ?? acc.shortNameMode,
    }),
    EMPTY,
  );
}

/**
 * The references to try for what the user typed, in order. A qualified name is itself; a short
 * name is its alias if one is set, else each unqualified-search registry in turn. With no search
 * registries tpod uses docker.io (podman refuses the short name then).
 */
export function resolveShortName(conf: RegistriesConf, parsed: ParsedReference): ImageReference[] {
  if (parsed.registry !== undefined) return [qualify(parsed, parsed.registry)];
  // Aliases are looked up by the name as typed, without tag or digest, which then carry over.
  const alias = conf.aliases.get(parsed.repository);
  if (alias) return [{ ...alias, tag: parsed.tag, digest: parsed.digest }];
  const search = conf.unqualifiedSearchRegistries?.length ? conf.unqualifiedSearchRegistries : [DOCKER_HUB];
  return search.map((registry) => qualify(parsed, registry));
}

/**
 * Where `ref` is found (with the tag it will be pulled with, since a prefix may name one): the
 * [[registry]] with the longest matching prefix decides; its location, and each mirror's,
 * replaces the matched prefix. With no match the reference is used as it is.
 */
export function registryConfig(conf: RegistriesConf, ref: ImageReference): RegistryAccess {
  const name = formatReference(ref);
  let best: { entry: RegistryEntry; end: number } | undefined;
  for (const entry of conf.registries) {
    const end = matchPrefix(name, entry.prefix);
    if (end >= 0 && entry.prefix.length > (best?.entry.prefix.length ?? 0)) best = { entry, end };
  }
  if (!best) return { location: ref, insecure: false, blocked: false, mirrors: [] };

  const { entry, end } = best;
  const rewrite = (location: string): ImageReference => {
    if (!location) return ref;
    const parsed = parseReference(location + name.slice(end));
    if (parsed.registry === undefined) throw new TpodError(`registries.conf: location "${location}" of prefix "${entry.prefix}" names no registry`);
    return qualify(parsed, parsed.registry);
  };
  // A tag may point elsewhere on a mirror that lags behind, so a configuration can keep mirrors to digests.
  const byDigest = ref.digest !== undefined;
  const mirrors = entry.mirrors.filter((m) => {
    const use = entry.mirrorByDigestOnly ? 'digest-only' : m.pullFromMirror;
    return use === 'all' || (use === 'digest-only' ? byDigest : !byDigest);
  });
  return {
    location: rewrite(entry.location),
    insecure: entry.insecure,
    blocked: entry.blocked,
    mirrors: mirrors.map((m) => ({ location: rewrite(m.location), insecure: m.insecure })),
  };
}

/**
 * The length of `name` that `prefix` matches, or -1. A prefix matches whole components only:
 * what follows it must be the end, '/', ':' or '@'. `*.example.com` matches any subdomain of
 * example.com in the registry part.
 */
function matchPrefix(name: string, prefix: string): number {
  let end: number;
  if (prefix.startsWith('*.')) {
    const at = name.indexOf(prefix.slice(1));
    if (at < 0 || name.slice(0, at).includes('/')) return -1;
    end = at + prefix.length - 1;
  } else {
    if (!name.startsWith(prefix)) return -1;
    end = prefix.length;
  }
  return end === name.length || '/:@'.includes(name[end]!) ? end : -1;
}

/**
 * Reads the configuration podman reads: CONTAINERS_REGISTRIES_CONF if set, else
 * ~/.config/containers/registries.conf if it exists, else /etc/containers/registries.conf; then
 * the *.conf drop-ins in name order, from /etc/containers/registries.conf.d (unless the user's own
 * file was chosen) and then from ~/.config/containers/registries.conf.d. Like podman this uses
 * $HOME/.config even when XDG_CONFIG_HOME is set.
 */
export function loadRegistriesConf(env: NodeJS.ProcessEnv = process.env): RegistriesConf {
  const userFile = join(env.HOME ?? homedir(), '.config/containers/registries.conf');
  const systemFile = '/etc/containers/registries.conf';
  const chosen = env.CONTAINERS_REGISTRIES_CONF || (existsSync(userFile) ? userFile : systemFile);
  const main = readText(chosen);
  if (main === undefined && chosen === env.CONTAINERS_REGISTRIES_CONF) {
    throw new TpodError(`cannot read ${chosen}, named by CONTAINERS_REGISTRIES_CONF`);
  }
  const dirs = chosen === userFile ? [`${userFile}.d`] : [`${systemFile}.d`, `${userFile}.d`];
  const confs = [main === undefined ? EMPTY : parseRegistriesConf(main, chosen)];
  for (const file of dirs.flatMap(dropIns)) {
    const text = readText(file);
    if (text !== undefined) confs.push(parseRegistriesConf(text, file));
  }
  return mergeRegistriesConf(confs);
}

/** A file's text, or undefined when it does not exist. */
function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw new TpodError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function dropIns(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return [];
    throw new TpodError(`cannot read ${dir}: ${(err as Error).message}`, { cause: err });
  }
  return entries
    .filter((e) => !e.isDirectory() && e.name.endsWith('.conf'))
    .map((e) => e.name)
    .sort()
    .map((name) => join(dir, name));
}
