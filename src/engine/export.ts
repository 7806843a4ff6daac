/**
 * `tpod export`: a container's whole file system as one tar archive, as
 * `tpod import` and `podman import` read it: the overlay alone (its mounts'
 * empty mount points, not what is mounted there), owners as the container
 * sees them, for a running container and a stopped one alike.
 */
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Context } from './context.js';
import { withContainerRoot } from './container-root.js';
import { mapHeaders, readTree, tarStream } from './file-tree.js';

/** Writes the archive to the stream OPEN gives, opened once the container's root is. */
export function exportContainer(ctx: Context, nameOrId: string, open: () => Writable): Promise<void> {
  return withContainerRoot(ctx, nameOrId, 'overlay', async (root) => {
    const items = mapHeaders(readTree(root.fd, '.', '', '/'), (f) => ({ ...f, ...root.ids.container(f) }));
    await pipeline(Readable.from(tarStream(items)), open());
  });
}
