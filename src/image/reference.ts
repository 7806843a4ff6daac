/**
 * Image references as podman reads them: the grammar of distribution's reference package and
 * the normalization of containers/image's docker/reference (docker.io, library/). Pure.
 */
import { TpodError } from '../errors.js';

/** A fully qualified reference: the registry is known and docker.io names are normalized. */
export interface ImageReference {
  readonly registry: string;
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

/** What the user wrote; registry is undefined for a short name such as `alpine` or `user/app:1`. */
export interface ParsedReference {
  readonly registry: string | undefined;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_LEGACY = 'index.docker.io';
const DEFAULT_TAG = 'latest';
const NAME_MAX = 255;

// Path components are lowercase; separators are one '.', one or two '_', or any run of '-'.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
// Registry host names may use capitals (DNS ignores case), unlike repositories.
const LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const REGISTRY = new RegExp(`^${LABEL}(?:\\.${LABEL})*(?::[0-9]+)?$`);
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const FULL_ID = /^[a-f0-9]{64}$/;
const IMAGE_ID = /^[a-f0-9]{12,64}$/;

function invalid(input: string, why: string): TpodError {
  return new TpodError(`invalid reference "${input}": ${why}`);
}

/** Splits `[registry/]repository[:tag][@digest]` and checks each part against the grammar. */
export function parseReference(input: string): ParsedReference {
  // A full image id would otherwise parse as a repository name; podman refuses it the same way.
  if (FULL_ID.test(input)) throw invalid(input, 'a 64-character hexadecimal string is an image id, not a name');

  const at = input.indexOf('@');
  const digest = at < 0 ? undefined : input.slice(at + 1);
  let name = at < 0 ? input : input.slice(0, at);
  // The tag's ':' comes after the last '/'; an earlier ':' belongs to the registry's port.
  const colon = name.lastIndexOf(':');
  const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : undefined;
  if (tag !== undefined) name = name.slice(0, colon);

  const slash = name.indexOf('/');
  const first = name.slice(0, slash);
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : undefined;
  const repository = hasRegistry ? name.slice(slash + 1) : name;

  if (registry !== undefined && !REGISTRY.test(registry)) throw invalid(input, `"${registry}" is not a valid registry host[:port]`);
  if (repository === '') throw invalid(input, 'repository name must have at least one component');
  if (!REPOSITORY.test(repository)) {
    throw invalid(input, repository !== repository.toLowerCase() ? 'repository name must be lowercase' : 'invalid repository name');
  }
  if (name.length > NAME_MAX) throw invalid(input, `repository name must not be more than ${NAME_MAX} characters`);
  if (tag !== undefined && !TAG.test(tag)) throw invalid(input, `invalid tag "${tag}"`);
  if (digest !== undefined && !isDigest(digest)) throw invalid(input, `invalid digest "${digest}": tpod takes sha256: and 64 lowercase hex digits`);

  const parsed = { registry, repository, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
  return registry === undefined ? parsed : qualify(parsed, registry);
}

/**
 * The full reference for `parsed`, placing a short name under `registry` (a qualified one keeps
 * its own). On Docker Hub a one-component repository is an official image under `library/`.
 */
export function qualify(parsed: ParsedReference, registry: string): ImageReference {
  let host = parsed.registry ?? registry;
  if (host === DOCKER_HUB_LEGACY) host = DOCKER_HUB;
  const repository = host === DOCKER_HUB && !parsed.repository.includes('/') ? `library/${parsed.repository}` : parsed.repository;
  return { registry: host, repository, tag: parsed.tag, digest: parsed.digest };
}

export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`;
}

/** `latest` when the reference names neither a tag nor a digest, as podman pulls it. */
export function withDefaultTag(ref: ImageReference): ImageReference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: DEFAULT_TAG } : ref;
}

export function isDigest(s: string): boolean {
  return DIGEST.test(s);
}

/** host[:port] as a registry may be written in a reference or in registries.conf. */
export function isRegistryHost(s: string): boolean {
  return REGISTRY.test(s);
}

/** Whether `s` could be an image id or a prefix of one that is long enough to show (12+). */
export function isImageId(s: string): boolean {
  return IMAGE_ID.test(s);
}
