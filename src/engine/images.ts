/**
 * Local images: finding one by name or id as podman does, listing, naming,
 * removing and inspecting.
 */
import { join } from 'node:path';
import { type RegistriesConf, resolveShortName } from '../config/registries.js';
import { EXIT_IN_USE, NotFound, TpodError } from '../errors.js';
import type { ImageConfig } from '../image/manifest.js';
import { type ImageReference, formatReference, parseReference, qualify, withDefaultTag } from '../image/reference.js';
import { Containers } from '../storage/containers.js';
import type { ImageRecord, Store } from '../storage/store.js';

/** Splits a stored name into repository and tag (or digest) for display. Pure. */
export function splitName(name: string): { repository: string; tag: string } {
  const at = name.indexOf('@');
  if (at >= 0) return { repository: name.slice(0, at), tag: '<none>' };
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? { repository: name.slice(0, colon), tag: name.slice(colon + 1) } : { repository: name, tag: '<none>' };
}

/** NAMES as repository@DIGEST, once per repository, as podman's RepoDigests. Pure. */
export function repoDigests(names: readonly string[], digest: string): string[] {
  return [...new Set(names.map((n) => `${splitName(n).repository}@${digest}`))];
}

/** The names NAME may stand for, in podman's order: localhost/ first, then aliases and search registries. Pure. */
export function lookupNames(conf: RegistriesConf, name: string): ImageReference[] {
  const parsed = parseReference(name);
  if (parsed.registry !== undefined) return [withDefaultTag(qualify(parsed, parsed.registry))];
  return [qualify(parsed, 'localhost'), ...resolveShortName(conf, parsed)].map(withDefaultTag);
}

/** Names given to an image by tpod tag: a short one goes under localhost/, as with podman. Pure. */
export function nameForTag(name: string): string {
  const parsed = parseReference(name);
  if (parsed.digest) throw new TpodError(`${name}: a tag cannot name a digest`);
  return formatReference(withDefaultTag(qualify(parsed, parsed.registry ?? 'localhost')));
}

function idMatches(records: readonly ImageRecord[], input: string): ImageRecord[] {
  const hex = input.replace(/^sha256:/, '');
  if (!/^[a-f0-9]{3,64}$/.test(hex)) return [];
  return records.filter((r) => r.id.startsWith(hex));
}

export class NoSuchImage extends NotFound {}

/** The image NAME_OR_ID names: a name first, then an id or id prefix. */
export function findImage(store: Store, conf: RegistriesConf, nameOrId: string): ImageRecord {
  const records = store.images();
  let names: ImageReference[] = [];
  try {
    names = lookupNames(conf, nameOrId);
  } catch {
    // Not a valid name: it can still be an id.
  }
  for (const ref of names) {
    const wanted = formatReference(ref);
    const found = records.find(
      (r) => r.names.includes(wanted) || (ref.digest !== undefined && r.digest === ref.digest && r.names.some((n) => splitName(n).repository === `${ref.registry}/${ref.repository}`)),
    );
    if (found) return found;
  }
  const byId = idMatches(records, nameOrId);
  if (byId.length === 1) return byId[0]!;
  if (byId.length > 1) throw new TpodError(`${nameOrId}: the id prefix is ambiguous: ${byId.length} images start with it`);
  throw new NoSuchImage(`${nameOrId}: image not known`);
}

export interface ImageRow {
  readonly id: string;
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
  readonly created: string;
  readonly size: number;
  readonly names: readonly string[];
}

/** One row per name (one <none> row for an image without names), newest first. */
export function listImages(store: Store): ImageRow[] {
  return store
    .images()
    .sort((a, b) => (b.created > a.created ? 1 : b.created < a.created ? -1 : a.id.localeCompare(b.id)))
    .flatMap((r) => {
      const names = r.names.length > 0 ? r.names : [''];
      return names.map((n) => {
        const { repository, tag } = n ? splitName(n) : { repository: '<none>', tag: '<none>' };
        return { id: r.id, repository, tag, digest: r.digest, created: r.created, size: r.size, names: r.names };
      });
    });
}

export function tagImage(store: Store, conf: RegistriesConf, image: string, targets: readonly string[]): ImageRecord {
  const record = findImage(store, conf, image);
  return store.setNames(record.id, [...record.names, ...targets.map(nameForTag)]);
}

/** Removes the given names, or every name when none is given. */
export function untagImage(store: Store, conf: RegistriesConf, image: string, names: readonly string[]): ImageRecord {
  const record = findImage(store, conf, image);
  if (names.length === 0) return store.setNames(record.id, []);
  const drop = names.map((n) => {
    const match = lookupNames(conf, n).map(formatReference).find((full) => record.names.includes(full));
    if (!match) throw new TpodError(`${n}: not a name of image ${record.id.slice(0, 12)}`);
    return match;
  });
  return store.setNames(record.id, record.names.filter((n) => !drop.includes(n)));
}

export interface RemoveReport {
  readonly untagged: readonly string[];
  readonly deleted: string | undefined;
}

/**
 * podman's rmi: a name removes only that name while others remain; an id (or
 * an image's last name) removes the image, which an id with several names
 * does only with FORCE.
 */
export function removeImage(store: Store, conf: RegistriesConf, nameOrId: string, force: boolean): RemoveReport {
  const record = findImage(store, conf, nameOrId);
  let byName: string | undefined;
  try {
    byName = lookupNames(conf, nameOrId).map(formatReference).find((n) => record.names.includes(n));
  } catch {
    // Not a name: an id.
  }
  if (byName && record.names.length > 1) {
    store.setNames(record.id, record.names.filter((n) => n !== byName));
    return { untagged: [byName], deleted: undefined };
  }
  if (!byName && record.names.length > 1 && !force) {
    throw new TpodError(`image ${record.id.slice(0, 12)} has several names (${record.names.join(', ')})`, { hint: 'remove it by name, or use --force' });
  }
  const containers = new Containers(store);
  const users = containers.list().filter((c) => c.imageId === record.id);
  const running = users.find((c) => c.state === 'running');
  if (users.length > 0 && (!force || running)) {
    const c = running ?? users[0]!;
    throw new TpodError(`image used by container ${c.id.slice(0, 12)} (${c.name})`, {
      exitCode: EXIT_IN_USE,
      hint: running ? 'stop it first' : 'remove the container first, or use --force to remove it with the image',
    });
  }
  for (const c of users) containers.remove(c.id);
  store.removeImage(record.id);
  return { untagged: record.names, deleted: record.id };
}

/** podman image inspect's fields for a stored image. */
export function inspectImage(store: Store, record: ImageRecord): Record<string, unknown> {
  const config = JSON.parse(store.config(record.id).toString('utf8')) as ImageConfig;
  return {
    Id: record.id,
    Digest: record.digest,
    RepoTags: record.names.filter((n) => !n.includes('@')),
    RepoDigests: repoDigests(record.names, record.digest),
    Created: config.created ?? record.created,
    Config: config.config ?? {},
    Author: config.author ?? '',
    Architecture: config.architecture,
    Os: config.os,
    ...(config.variant ? { Variant: config.variant } : {}),
    Size: record.size,
    VirtualSize: record.size,
    GraphDriver: { Name: 'overlay', Data: { LowerDirs: record.layers.map((l) => join(store.layerDir(l), 'diff')).reverse().join(':') } },
    RootFS: { Type: config.rootfs?.type ?? 'layers', Layers: record.layers },
    Labels: config.config?.Labels ?? null,
    ManifestType: record.manifestMediaType,
    User: config.config?.User ?? '',
    History: config.history ?? [],
    NamesHistory: record.names,
  };
}

/** Removes images without names, or with ALL every image (no container can use one yet); returns their ids. */
export function pruneImages(store: Store, all: boolean): string[] {
  const doomed = store.images().filter((r) => all || r.names.length === 0);
  for (const record of doomed) store.removeImage(record.id);
  return doomed.map((r) => r.id);
}
