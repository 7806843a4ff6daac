import { contextFromEnv } from '../../engine/context.js';
import { type CommandSpec, fileArgument } from '../spec.js';

export const cp: CommandSpec = {
  name: 'cp',
  summary: 'Copy files between a container and the host',
  description: [
    'Copies SOURCE to DESTINATION, where one of them (or both) is a path in a container, written CONTAINER:PATH (a name, an id or a unique id prefix, a colon, then the path; a relative one starts at the container\'s working directory), and the other a path on the host. A path that starts with . or / is always the host\'s, so it may contain a colon. The container may be running or stopped. With - as SOURCE, tpod reads a tar archive (plain, gzip or zstd) from standard input and extracts it into the container directory DESTINATION; with - as DESTINATION, it writes SOURCE to standard output as a tar archive.',
    'Where the copy lands follows docker cp: a file copied to an existing directory goes into it under its own name, to an existing file replaces it, and to a path that does not exist (whose parent does) becomes that file. A directory copied to an existing directory goes into it under its own name, or, written DIR/., only its content does; copied to a path that does not exist, it becomes that directory. A DESTINATION that ends in / must be an existing directory. A symlink named as SOURCE is followed, and its target is copied under the target\'s name, as podman does.',
    'Symlinks inside the container are resolved as the container would resolve them, within its root: a symlink /x -> /etc/passwd means the container\'s /etc/passwd, never the host\'s, and .. stops at the container\'s root. Nothing being extracted (.. or absolute names in an archive, a symlink an earlier entry made) can write outside the container, or outside the host directory being copied into. Directories do not replace files, nor files directories, unless --overwrite is given.',
    'With --archive (the default), what is copied into a container belongs to the container\'s user (--user, else the image\'s, else root); --archive=false keeps the owners the files or the archive give, as the container\'s ids. What is copied to the host belongs to you; a tar archive written to standard output gives every entry the container user\'s ids, as podman does. Within a directory copied from a container, /dev, /proc and /sys are left out, as podman leaves them out. A running container is seen as its processes see it, volumes, bind mounts and tpod\'s /etc files included; a mount point there is never replaced.',
  ].join('\n\n'),
  positionals: [
    { name: 'source', describe: 'CONTAINER:PATH, a host path, or - for a tar archive on standard input', complete: 'files' },
    { name: 'destination', describe: 'CONTAINER:PATH, a host path, or - for a tar archive on standard output', complete: 'files' },
  ],
  options: [
    { name: 'archive', alias: 'a', type: 'boolean', default: true, describe: 'give what is copied into a container to its user (--archive=false keeps the owners)' },
    { name: 'overwrite', type: 'boolean', describe: 'let directories replace non-directories and the reverse' },
  ],
  examples: [
    { command: 'tpod cp web:/etc/nginx/nginx.conf .', describe: 'a file from a container into the current directory' },
    { command: 'tpod cp ./site/. web:/usr/share/nginx/html', describe: 'the content of a host directory into a container directory' },
    { command: 'tpod cp web:/var/log - | tar -tvf -', describe: 'a container directory as a tar archive on standard output' },
    { command: 'tar -cf - conf | tpod cp - web:/etc', describe: 'a tar archive from standard input, extracted into /etc in the container' },
  ],
  differences:
    'A stopped container\'s root file system is mounted for the copy, but not its volumes or bind mounts: a path in one of them is the empty mount point. A tar archive written to standard output from a --userns=keep-id container carries the ids its user has inside it, where podman gives the host\'s. Extended attributes are not copied.',
  run: async (args) => {
    const { copy, parseCopyArguments } = await import('../../engine/cp.js');
    const { source, destination } = parseCopyArguments(fileArgument(args.source), fileArgument(args.destination));
    await copy(contextFromEnv(process.env), source, destination, { archive: args.archive !== false, overwrite: Boolean(args.overwrite) }, { stdin: process.stdin, stdout: process.stdout });
  },
};
