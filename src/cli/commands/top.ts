import { contextFromEnv } from '../../engine/context.js';
import { table } from '../output/table.js';
import type { CommandSpec } from '../spec.js';

export const top: CommandSpec = {
  name: 'top',
  summary: "Show a container's processes",
  description: [
    "Shows the processes of running CONTAINER (a name, an id or a unique id prefix), as podman top does: by default USER, PID, PPID, %CPU, ELAPSED, TTY, TIME and COMMAND. Pids are the container's own, users are named by its /etc/passwd, times are written as Go writes durations (1m2.5s).",
    'DESCRIPTORS choose the columns, as words or comma-separated: user, pid, ppid, pcpu, etime, tty, time, args (the command line) and comm (the program name).',
  ].join('\n\n'),
  positionals: [
    { name: 'container', describe: 'the container, by name or id' },
    { name: 'descriptors', describe: 'the columns: user, pid, ppid, pcpu, etime, tty, time, args, comm', optional: true, variadic: true, complete: ['user', 'pid', 'ppid', 'pcpu', 'etime', 'tty', 'time', 'args', 'comm'] },
  ],
  differences:
    "Only the descriptors listed here: podman's other psgo descriptors (capabilities, seccomp, groups, host pids, ...) and its fallback to the container's own ps(1) for ps options (-ef) are not supported. --latest is not supported.",
  run: async (args) => {
    const [{ topContainer }, { parseDescriptors, topTable }] = await Promise.all([import('../../engine/container-info.js'), import('../../engine/top.js')]);
    const descriptors = parseDescriptors(((args.descriptors as string[] | undefined) ?? []).map(String));
    const { processes, passwd } = topContainer(contextFromEnv(process.env), String(args.container));
    const { header, rows } = topTable(processes, descriptors, passwd, Date.now());
    process.stdout.write(table(header, rows));
  },
};
