import { formatOption } from '../options/format.js';
import type { CommandSpec } from '../spec.js';
import { printInspected } from './inspect.js';

export const containerInspect: CommandSpec = {
  name: 'inspect',
  summary: 'Show the details of containers',
  description: [
    "Prints a JSON array with one object per CONTAINER (a name, an id or a unique id prefix), with podman's field names for what tpod knows, or each container through --format ('{{.State.Status}}', '{{json .Config.Cmd}}'): Id, Created, Path and Args (what runs), State (Status, Running, Paused, Pid, ConmonPid, ExitCode, OOMKilled, StartedAt, FinishedAt, and Health with a healthcheck), Image, ImageName, Name, RestartCount, Driver, GraphDriver, Mounts (binds and volumes), NetworkSettings.Ports, Config (Hostname, User, Env, Cmd, Entrypoint, WorkingDir, Labels, StopSignal, Healthcheck, HealthcheckOnFailureAction, ...) and HostConfig (Binds, NetworkMode, PortBindings, RestartPolicy, AutoRemove, CapAdd, CapDrop, the resource limits such as Memory, NanoCpus and PidsLimit, CgroupManager, ...).",
    'Path, Args, Env and the capabilities are those of its last start (its OCI spec), or, before its first, what its start will use. A CONTAINER that does not exist is an error (exit 125), after the others are printed.',
  ].join('\n\n'),
  positionals: [{ name: 'container', describe: 'containers, by name or id', variadic: true }],
  options: [formatOption('{{.State.Status}}')],
  differences:
    "Fields tpod has no use for (CgroupPath, Checkpointed..., the device and ulimit settings) are left out, and NetworkSettings has no addresses: a user-mode network's are the helper's. --latest and --size are not supported. Templates see times as RFC 3339 text, where podman's see Go times.",
  run: async (args) => printInspected('container', (args.container as string[]).map(String), args.format as string | undefined),
};
