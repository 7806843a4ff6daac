/**
 * `tpod cp`: files between a container and the host, both ways, or between
 * two containers, or a tar stream on standard input or output; for running
 * and stopped containers alike. The rules for where a copy lands are docker
 * cp's, as podman has them (placement() below).
 *
 * Each side is a root that paths cannot leave: the container's root file
 * system, and on the host the directory written into. Paths are looked up
 * in it as the kernel would in a chroot there (root-fd.ts), so a symlink in
 * the container (/x -> /etc/passwd) means the container's file, never the
 * host's, and nothing in a tar stream (`..`, absolute paths, a symlink an
 * earlier entry made) writes outside the destination.
 */
import { closeSync } from 'node:fs';
import { posix } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TpodError } from '../errors.js';
import { resolveUser } from '../spec/user.js';
import type { Context } from './context.js';
import { type ContainerRoot, type Ids, withContainerRoot } from './container-root.js';
import { type TreeItem, TreeWriter, extractTar, mapHeaders, readTree, tarStream, writeTree } from './file-tree.js';
import { lookup, openDirIn, openRoot, readFileIn } from './root-fd.js';

/** One side of a copy: a path in CONTAINER, or on the host; `-` alone is a tar stream. */
export interface Endpoint {
  readonly container?: string;
  readonly path: string;
}

/** podman's [CONTAINER:]PATH: a path that starts with `.` or `/` names no container, so it may hold a colon. Pure. */
function parseEndpoint(text: string): Endpoint {
  if (text.startsWith('.') || text.startsWith('/')) return { path: text };
  const colon = text.indexOf(':');
  return colon < 0 ? { path: text } : { container: text.slice(0, colon), path: text.slice(colon + 1) };
}

/** SOURCE and DESTINATION as typed; exactly one, or both, name a container. Pure. */
export function parseCopyArguments(source: string, destination: string): { source: Endpoint; destination: Endpoint } {
  const parsed = { source: parseEndpoint(source), destination: parseEndpoint(destination) };
  if (!parsed.source.path || !parsed.destination.path) throw new TpodError(`invalid arguments "${source}", "${destination}": you must specify paths`);
  if (parsed.source.container === undefined && parsed.destination.container === undefined) {
    throw new TpodError(`invalid arguments "${source}", "${destination}": one of them must be a container's, CONTAINER:PATH`);
  }
  return parsed;
}

/** Typed as DIR/. : a directory's content, not the directory. */
const contentOnly = (path: string) => path === '.' || path.endsWith('/.');

export type DestinationState = 'directory' | 'file' | 'other' | 'missing';

export interface CopySource {
  /** A stream is a tar archive on standard input. */
  readonly kind: 'directory' | 'file' | 'stream';
  /** The name it is copied as by default: its own, symlinks resolved ('' for the root). */
  readonly name: string;
  /** Typed as DIR/. : the directory's content, not the directory. */
  readonly contentOnly: boolean;
}

export interface CopyDestination {
  readonly state: DestinationState;
  /** Its last part, symlinks resolved. */
  readonly name: string;
  /** As typed, for messages. */
  readonly typed: string;
  /** Where it is, for messages: "the host", "container NAME". */
  readonly where: string;
}

/** Where a copy lands: in the destination itself or in its parent, and the name of what it makes there ('' for content only). */
export interface Placement {
  readonly into: 'destination' | 'parent';
  readonly as: string;
}

/** docker cp's rules, as podman has them. Pure. */
export function placement(source: CopySource, dest: CopyDestination): Placement {
  const stdin = () => new TpodError('destination must be a directory when copying from stdin');
  if (dest.state !== 'directory' && dest.state !== 'missing' && (dest.typed.endsWith('/') || contentOnly(dest.typed))) {
    throw new TpodError(`"${dest.typed}" is not a directory`);
  }
  switch (dest.state) {
    case 'directory':
      return { into: 'destination', as: source.contentOnly ? '' : source.name };
    case 'missing':
      if (dest.typed.endsWith('/')) throw new TpodError(`"${dest.typed}" could not be found on ${dest.where}: no such file or directory`);
      if (source.kind === 'stream') throw stdin();
      // A new name: a directory's content goes under it, whether typed DIR or DIR/.
      return { into: 'parent', as: dest.name };
    case 'file':
      if (source.kind === 'stream') throw stdin();
      if (source.kind === 'directory') throw new TpodError('destination must be a directory when copying a directory');
      return { into: 'parent', as: dest.name };
    case 'other':
      throw new TpodError(`invalid destination: "${dest.typed}" must be a directory or a regular file`);
  }
}

export interface CopyOptions {
  /** -a: what is copied into a container becomes its user's; else it keeps the ids it had. */
  readonly archive: boolean;
  /** A directory may replace a non-directory and the reverse. */
  readonly overwrite: boolean;
}

/** The ids the container runs as, as podman takes them for cp: its user, else the image's, else root (the caller with keep-id). */
function containerUser(ctx: Context, root: ContainerRoot): Ids {
  const keepId = root.config.options.userns === 'keep-id' ? `${ctx.session.hostUid}:${ctx.session.hostGid}` : '';
  const spec = root.config.options.user || root.image.User || keepId;
  return resolveUser(spec, { passwd: readFileIn(root.fd, '/etc/passwd'), group: readFileIn(root.fd, '/etc/group') });
}

/** podman leaves these out of what it copies from a container: a running one's kernel file systems. */
const KERNEL_DIRS = new Set(['/dev', '/proc', '/sys']);

/** A root to copy from or into, with what differs between the host and a container. */
interface Side {
  readonly root: number;
  /** "the host", "container NAME": for messages. */
  readonly where: string;
  /** PATH from the root: a relative one starts at the working directory. */
  absolute(path: string): string;
  /** Turns what was read here into what a copy carries: a container's files carry its own ids. */
  readonly carried: (items: AsyncIterable<TreeItem>) => AsyncIterable<TreeItem>;
  /** A writer for the directory DIR (a path from the root); close() when done. */
  writer(dir: string, overwrite: boolean): { writer: TreeWriter; close(): void };
  /** The owner a copy streamed to standard output gives every entry: podman's, the container user's. */
  readonly streamOwner?: () => Ids;
}

async function withHost<T>(fn: (side: Side) => Promise<T>): Promise<T> {
  const root = openRoot('/');
  try {
    return await fn({
      root,
      where: 'the host',
      absolute: (path) => posix.resolve(process.cwd(), path),
      carried: (items) => items,
      // The directory written into is the root: the copy cannot leave it.
      writer: (dir, overwrite) => {
        const { fd } = openDirIn(root, dir, false);
        return { writer: new TreeWriter(fd, '', { overwrite, shownAs: dir }), close: () => closeSync(fd) };
      },
    });
  } finally {
    closeSync(root);
  }
}

function withContainer<T>(ctx: Context, name: string, options: CopyOptions, fn: (side: Side) => Promise<T>): Promise<T> {
  return withContainerRoot(ctx, name, 'processes', (root) => {
    let user: Ids | undefined;
    const userIds = () => (user ??= containerUser(ctx, root));
    const workdir = root.config.options.workdir || root.image.WorkingDir || '/';
    return fn({
      root: root.fd,
      where: `container ${name}`,
      absolute: (path) => posix.resolve(workdir, path),
      carried: (items) => mapHeaders(items, (f) => ({ ...f, ...root.ids.container(f) })),
      writer: (dir, overwrite) => ({
        writer: new TreeWriter(root.fd, dir, { overwrite, owner: (f) => root.ids.ours(options.archive ? userIds() : f), mountPoints: root.mountPoints }),
        close: () => undefined,
      }),
      streamOwner: userIds,
    });
  });
}

function withSide<T>(ctx: Context, endpoint: Endpoint, options: CopyOptions, fn: (side: Side) => Promise<T>): Promise<T> {
  return endpoint.container === undefined ? withHost(fn) : withContainer(ctx, endpoint.container, options, fn);
}

/** What DEST names on SIDE, and where a copy of SOURCE into it lands. */
function destinationOf(side: Side, dest: Endpoint, source: CopySource): { dir: string; as: string } {
  const found = lookup(side.root, side.absolute(dest.path), { follow: true });
  if (!found) throw new TpodError(`"${dest.path}" could not be found on ${side.where}: no such file or directory`);
  closeSync(found.dir);
  const st = found.stats;
  const state: DestinationState = !st ? 'missing' : st.isDirectory() ? 'directory' : st.isFile() ? 'file' : 'other';
  const place = placement(source, { state, name: posix.basename(found.path), typed: dest.path, where: side.where });
  return { dir: place.into === 'destination' ? found.path : posix.dirname(found.path), as: place.as };
}

/** The tar stream STDIN extracted into the directory DEST names. */
async function copyStreamIn(ctx: Context, dest: Endpoint, options: CopyOptions, stdin: Readable): Promise<void> {
  await withSide(ctx, dest, options, async (side) => {
    const { dir } = destinationOf(side, dest, { kind: 'stream', name: '', contentOnly: true });
    const { writer, close } = side.writer(dir, options.overwrite);
    try {
      await extractTar(stdin, writer, 'source must be a (compressed) tar archive when copying from stdin');
    } finally {
      close();
    }
  });
}

/** Copies SOURCE to DEST (one of them, or both, in a container); DEST `-` writes a tar stream to STDOUT, SOURCE `-` reads one from STDIN. */
export async function copy(ctx: Context, source: Endpoint, dest: Endpoint, options: CopyOptions, stdio: { stdin: Readable; stdout: Writable }): Promise<void> {
  if (source.container === undefined && source.path === '-') return copyStreamIn(ctx, dest, options, stdio.stdin);
  await withSide(ctx, source, options, (from) => {
    const found = lookup(from.root, from.absolute(source.path), { follow: true });
    if (!found?.stats) {
      if (found) closeSync(found.dir);
      throw new TpodError(`"${source.path}" could not be found on ${from.where}: no such file or directory`);
    }
    const kind = found.stats.isDirectory() ? 'directory' : 'file';
    const what: CopySource = { kind, name: posix.basename(found.path), contentOnly: contentOnly(source.path) };
    const read = (as: string) => from.carried(readTree(found.dir, found.name, as, found.path, { skip: (p) => KERNEL_DIRS.has(p) }));
    const run = async () => {
      if (kind === 'file' && (source.path.endsWith('/') || what.contentOnly)) throw new TpodError(`"${source.path}" is not a directory`);
      if (dest.container === undefined && dest.path === '-') {
        const owner = from.streamOwner?.();
        const items = read(what.contentOnly ? '' : what.name);
        return pipeline(Readable.from(tarStream(owner ? mapHeaders(items, (f) => ({ ...f, ...owner })) : items)), stdio.stdout);
      }
      // Within one container, its root is opened once.
      const into = (fn: (side: Side) => Promise<void>) => (dest.container !== undefined && dest.container === source.container ? fn(from) : withSide(ctx, dest, options, fn));
      await into(async (to) => {
        const { dir, as } = destinationOf(to, dest, what);
        const { writer, close } = to.writer(dir, options.overwrite);
        try {
          await writeTree(read(as), writer);
        } finally {
          close();
        }
      });
    };
    return run().finally(() => closeSync(found.dir));
  });
}
