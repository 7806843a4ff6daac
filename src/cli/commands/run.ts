import { contextFromEnv } from '../../engine/context.js';
import { containerRequest, pullListener } from '../options/create.js';
import { healthOptions } from '../options/health.js';
import { registryOptions } from '../options/registry.js';
import { resourceOptions } from '../options/resources.js';
import { CGROUPS_MODES } from '../../cgroups/plan.js';
import { STOP_TIMEOUT_SECONDS } from '../../spec/stop.js';
import { SDNOTIFY_MODES } from '../../systemd/notify.js';
import type { CommandSpec } from '../spec.js';

export const run: CommandSpec = {
  name: 'run',
  summary: 'Run a command in a new container',
  description: [
    'Creates a container from IMAGE (pulling it first when it is not in local storage, as --pull says) and runs COMMAND in it, or the image\'s own command, attached to your standard input, output and error. tpod exits with the container\'s exit code; with 125 when tpod itself fails, 126 when the command cannot be run and 127 when it is not found.',
    'The container\'s root filesystem is the image\'s layers under a layer of its own, mounted with the kernel overlay in tpod\'s user namespace (or fuse-overlayfs, see tpod info; always fuse-overlayfs with --userns=keep-id, which needs /dev/fuse); nothing of the image is copied. The OCI runtime is crun where it works here, else runc (--runtime chooses). Signals sent to tpod (SIGINT, SIGTERM, SIGHUP and others) reach the container.',
  ].join('\n\n'),
  positionals: [
    { name: 'image', describe: 'the image, by name or id' },
    { name: 'command', describe: 'the command and its arguments, instead of the image\'s', optional: true, variadic: true, complete: 'files' },
  ],
  passThrough: true,
  options: [
    { name: 'detach', alias: 'd', type: 'boolean', describe: 'run in the background under conmon, print the container\'s id and exit' },
    { name: 'rm', type: 'boolean', describe: 'remove the container when it exits' },
    { name: 'restart', type: 'string', valueName: 'POLICY', complete: ['no', 'on-failure', 'always', 'unless-stopped'], describe: 'start a detached container again when it exits: no, on-failure[:N], always, unless-stopped (never after tpod stop or kill)' },
    { name: 'name', type: 'string', valueName: 'NAME', describe: 'a name for the container' },
    { name: 'replace', type: 'boolean', describe: 'remove a container of the same name first (killing it if it runs)' },
    { name: 'cidfile', type: 'string', valueName: 'FILE', describe: 'write the container\'s id to FILE, which must not exist', complete: 'files' },
    { name: 'tz', type: 'string', valueName: 'TIMEZONE', describe: 'the container\'s time zone (its /etc/localtime): local for yours, or a zone name such as Europe/Paris' },
    { name: 'group-add', type: 'array', valueName: 'GROUP', describe: 'a supplementary group for the container\'s process, by name (from the container\'s /etc/group) or gid' },
    { name: 'ulimit', type: 'array', valueName: 'TYPE=SOFT[:HARD]', describe: 'a resource limit of the container\'s processes, by ulimit(1)\'s name (nofile, nproc, core, memlock, stack, ...); no higher than your own hard limit' },
    { name: 'sysctl', type: 'array', valueName: 'NAME=VALUE', describe: 'a kernel parameter of the container\'s own namespaces: net.* (not with --network host), kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*' },
    { name: 'shm-size', type: 'string', valueName: 'SIZE', describe: 'the size of /dev/shm, e.g. 256m (default 64m)' },
    { name: 'stop-signal', type: 'string', valueName: 'SIGNAL', describe: 'the signal tpod stop (and rm -f -t) sends first, instead of the image\'s StopSignal or SIGTERM' },
    { name: 'stop-timeout', type: 'number', valueName: 'SECONDS', describe: `how long tpod stop waits for the stop signal to work before SIGKILL, unless its -t says (default ${STOP_TIMEOUT_SECONDS})` },
    { name: 'log-driver', type: 'string', valueName: 'DRIVER', choices: ['k8s-file', 'journald', 'none'], describe: 'where a detached container\'s output goes: k8s-file (the default), journald (the journal, where journalctl finds it by CONTAINER_NAME=), none; tpod logs reads the first two' },
    { name: 'env', alias: 'e', type: 'array', valueName: 'VAR[=VALUE]', describe: 'set an environment variable; VAR alone takes its value from yours' },
    { name: 'env-file', type: 'array', valueName: 'FILE', describe: 'read environment variables from FILE, one VAR=VALUE a line', complete: 'files' },
    { name: 'env-host', type: 'boolean', describe: 'give the container your whole environment first' },
    { name: 'workdir', alias: 'w', type: 'string', valueName: 'DIR', describe: 'the working directory inside the container' },
    { name: 'user', alias: 'u', type: 'string', valueName: 'USER[:GROUP]', describe: 'run as this user (a name from the image\'s /etc/passwd, or a uid), and group' },
    { name: 'entrypoint', type: 'string', valueName: 'CMD', describe: 'replace the image\'s entrypoint: a program, or a JSON array; "" clears it' },
    { name: 'hostname', type: 'string', valueName: 'NAME', describe: 'the container\'s host name' },
    { name: 'interactive', alias: 'i', type: 'boolean', describe: 'give the container your standard input (without it, it reads an empty one); with -t, what you type, ^C included' },
    { name: 'tty', alias: 't', type: 'boolean', describe: 'a terminal for the container, the size of yours and resized with it; with -i yours is in raw mode meanwhile' },
    { name: 'volume', alias: 'v', type: 'array', valueName: 'SRC:CTR[:OPTS]', describe: 'a host directory (HOST-DIR:CTR-DIR) or a named volume (NAME:CTR-DIR), options ro,rw,z,Z,U,nocopy,...', complete: 'files' },
    { name: 'mount', type: 'array', valueName: 'type=...', describe: 'mount as podman\'s --mount: type=bind|volume|tmpfs,source=...,destination=...' },
    { name: 'tmpfs', type: 'array', valueName: 'DIR[:OPTS]', describe: 'a tmpfs at DIR' },
    { name: 'read-only', type: 'boolean', describe: 'mount the root filesystem read-only' },
    { name: 'read-only-tmpfs', type: 'boolean', default: true, describe: 'with --read-only, writable tmpfs at /run, /tmp and /var/tmp (--read-only-tmpfs=false: none)' },
    { name: 'annotation', type: 'array', valueName: 'KEY=VALUE', describe: 'an annotation in the container\'s OCI spec, for the runtime (run.oci.*, io.kubernetes.* ...)' },
    { name: 'network', type: 'string', valueName: 'MODE', choices: ['none', 'host', 'pasta', 'slirp4netns'], describe: 'pasta (the default: your addresses and routes, through user-mode networking; the host\'s loopback is host.containers.internal), slirp4netns (the default without pasta: 10.0.2.100 behind a user-mode NAT, the host\'s loopback is host.containers.internal too), none (only loopback) or host (share yours)' },
    { name: 'publish', alias: 'p', type: 'array', valueName: '[[IP:][HOSTPORT]:]PORT[/udp]', describe: 'publish a container port, or a range, on the host\'s port (a free one when none is given)' },
    { name: 'expose', type: 'array', valueName: 'PORT[-END][/PROTO]', describe: 'a port to expose beside the image\'s, which -P publishes' },
    { name: 'publish-all', alias: 'P', type: 'boolean', describe: 'publish every port the image exposes, each on a free host port' },
    { name: 'dns', type: 'array', valueName: 'IP', describe: 'a DNS server for the container\'s resolv.conf' },
    { name: 'dns-search', type: 'array', valueName: 'DOMAIN', describe: 'a search domain for the container\'s resolv.conf, in place of yours ("." for none)' },
    { name: 'dns-option', type: 'array', valueName: 'OPTION', describe: 'a resolver option (ndots:2, timeout:1, ...) for the container\'s resolv.conf, in place of yours' },
    { name: 'add-host', type: 'array', valueName: 'NAME:IP', describe: 'an extra line for the container\'s /etc/hosts' },
    { name: 'cap-add', type: 'array', valueName: 'CAP', describe: 'add a capability (or ALL)' },
    { name: 'cap-drop', type: 'array', valueName: 'CAP', describe: 'drop a capability (or ALL)' },
    { name: 'privileged', type: 'boolean', describe: 'all capabilities, no seccomp, the host\'s devices: as far as rootless allows' },
    { name: 'security-opt', type: 'array', valueName: 'OPT', describe: 'no-new-privileges, or seccomp=unconfined|PROFILE.json' },
    { name: 'userns', type: 'string', valueName: 'MODE', complete: ['host', 'keep-id'], describe: 'host (the default: you are root in the container) or keep-id (your own uid and gid in the container, so that what it writes in host directories is yours)' },
    { name: 'label', alias: 'l', type: 'array', valueName: 'KEY=VALUE', describe: 'a label for the container (repeatable); tpod ps --format \'{{.Labels}}\' shows them' },
    { name: 'init', type: 'boolean', describe: 'run catatonit as PID 1, to reap zombies and pass signals on' },
    { name: 'pull', type: 'string', valueName: 'POLICY', choices: ['missing', 'always', 'never', 'newer'], default: 'missing', describe: 'when to pull the image' },
    { name: 'runtime', type: 'string', valueName: 'NAME', complete: ['crun', 'runc'], describe: 'the OCI runtime: crun or runc' },
    ...resourceOptions,
    ...healthOptions,
    { name: 'cgroups', type: 'string', valueName: 'MODE', choices: CGROUPS_MODES, describe: 'enabled: the container and its conmon each get a systemd scope; no-conmon (and split): conmon stays in your cgroup (a unit\'s); disabled: no cgroup for the container, so no limits' },
    { name: 'sdnotify', type: 'string', valueName: 'MODE', complete: SDNOTIFY_MODES, describe: 'under a Type=notify systemd unit (NOTIFY_SOCKET set), for a container run with -d or started later: container (the default: tpod makes conmon the unit\'s main process, and the container says READY=1 itself on the socket /run/notify/notify.sock, which conmon passes on), conmon (tpod makes conmon the main process and says READY=1 once the container runs) or ignore (neither); NOTIFY_SOCKET never reaches the container\'s or conmon\'s environment' },
    ...registryOptions,
  ],
  examples: [
    { command: 'tpod run --rm docker.io/library/alpine echo hello', describe: 'run one command' },
    { command: 'tpod run --rm -v "$PWD:/src:ro" -w /src alpine ls', describe: 'with the current directory inside' },
  ],
  differences:
    'pasta is the default network, as in podman 5 (podman 4 defaults to slirp4netns); each running pasta keeps about 26 MiB of its own buffers (Debian 12\'s passt), slirp4netns about 1 MiB, so many detached containers cost less memory with --network slirp4netns. With --network slirp4netns the host\'s loopback is reachable at host.containers.internal (podman: only with allow_host_loopback=true) and ports are published by slirp4netns itself (podman\'s port_handler=slirp4netns), on IPv4 only. -t without -i leaves your terminal as it is, so ^C reaches tpod, which passes SIGINT on (podman puts it in raw mode, where ^C goes nowhere); with -it, an input that is no terminal ends with ^D for the container\'s terminal. --userns=keep-id shifts the image\'s ids as fuse-overlayfs serves its files, so nothing is copied (podman\'s native overlay copies and chowns the whole image on its first start), but every file the container opens goes through fuse-overlayfs, which reads many small files about ten times slower than the kernel overlay; the entries for you are in copies of /etc/passwd and /etc/group bound over the image\'s (podman appends them to the image\'s), and with pasta or slirp4netns the container\'s /sys is the host\'s and its root cannot ping, since its network namespace is tpod\'s (podman lets the runtime make it inside the container\'s user namespace). Limits need systemd to delegate cgroup v2 to you: each container then gets a scope tpod-ID.scope in your user.slice (podman: libpod-ID.scope), made by the runtime with --systemd-cgroup; where nothing is delegated a run that asks for a limit fails with the reason (podman warns and runs without it, on cgroup v1), and --cgroup-manager=cgroupfs makes no cgroup at all (rootless podman tries one in its own cgroup). --cgroups=split runs as no-conmon: conmon stays in the calling unit\'s cgroup, the container gets its own scope beside it, not under it. The container sees /run/tpod-init for --init (podman: /run/podman-init), and container=tpod in its environment. --sdnotify applies to containers under conmon (-d, or tpod start): an attached run has no conmon, and tpod, the unit\'s main process all along, tells systemd nothing for it; there is no --sdnotify=healthy yet. A healthcheck runs on a timer (a transient ID.timer and ID.service in your systemd user instance, as podman makes them) only for a container under conmon (-d, or tpod start), and only where you have a systemd user session; elsewhere tpod warns once and the check runs only by hand (tpod healthcheck run). A check that times out is recorded with exit code -1 and counts as a failure, as any other (podman 4 returns an error for it). The --health-startup-* options (podman 4.8) and --health-log-destination and --health-max-log-* are not supported (the log keeps the last 5 checks and 500 characters of each one\'s output, podman\'s defaults). --group-add keep-groups (crun\'s keeping of your own supplementary groups) is not supported; --ulimit takes no unlimited (-1). With --cgroups=enabled (the default), conmon goes into a systemd scope of its own, tpod-conmon-ID.scope (podman: libpod-conmon-ID.scope), except when tpod runs as a systemd service ($INVOCATION_ID set), where it stays in the service\'s cgroup, as podman\'s does.',
  run: async (args) => {
    const { runContainer, runDetached } = await import('../../engine/run.js');
    const ctx = contextFromEnv(process.env);
    if (!args.detach) return runContainer(ctx, containerRequest(args), pullListener());
    process.stdout.write(`${await runDetached(ctx, containerRequest(args), pullListener())}\n`);
    return 0;
  },
};
