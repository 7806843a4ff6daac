import { contextFromEnv } from '../../engine/context.js';
import { STOP_TIMEOUT_SECONDS, parseStopTimeout } from '../../spec/stop.js';
import { RESTART_POLICIES } from '../../systemd/generate.js';
import { type OptionSpec, globalOptions } from '../spec.js';
import type { CommandSpec } from '../spec.js';
import { run } from './run.js';

/** Whether WORD, an option of run (or a global one), takes the next word as its value. */
function runTakesValue(word: string): boolean {
  const scope: readonly OptionSpec[] = [...globalOptions, ...(run.options ?? [])];
  const o = word.startsWith('--') ? scope.find((x) => x.name === word.slice(2)) : scope.find((x) => x.alias === word.slice(1));
  return o !== undefined && o.type !== 'boolean';
}

export const generateSystemd: CommandSpec = {
  name: 'systemd',
  summary: 'Generate a systemd unit for a container',
  description: [
    'Prints a systemd service unit for CONTAINER (a name, an id or a unique id prefix), for systemctl --user: copy it to ~/.config/systemd/user/ (or use --files there), then systemctl --user daemon-reload and enable --now it.',
    'Without --new the unit starts and stops that very container (tpod start, tpod stop; Type=forking with conmon as its main process), which must exist. With --new it creates the container at each start from the command it was created with (tpod run --cidfile=%t/%n.ctr-id --rm --replace -d ...) and removes it at each stop, so the unit works on its own on any machine with the image.',
    'For new units, prefer a .container file for tpod\'s systemd generator: see tpod-systemd.unit(5).',
  ].join('\n\n'),
  positionals: [{ name: 'container', describe: 'the container, by name or id' }],
  options: [
    { name: 'new', type: 'boolean', describe: 'create the container at start and remove it at stop, instead of starting and stopping this one' },
    { name: 'name', alias: 'n', type: 'boolean', describe: 'name the container (and the service) by its name instead of its id' },
    { name: 'files', alias: 'f', type: 'boolean', describe: 'write SERVICE.service in the current directory and print its path' },
    { name: 'restart-policy', type: 'string', valueName: 'POLICY', complete: [...RESTART_POLICIES], describe: 'systemd\'s Restart= (default on-failure; with --new, the container\'s --restart if it had one)' },
    { name: 'restart-sec', type: 'number', valueName: 'SECONDS', describe: 'systemd\'s RestartSec=' },
    { name: 'stop-timeout', alias: 't', type: 'number', valueName: 'SECONDS', describe: `how long tpod stop waits before SIGKILL (default: the container's --stop-timeout, else ${STOP_TIMEOUT_SECONDS}); systemd waits 60 seconds more` },
    { name: 'start-timeout', type: 'number', valueName: 'SECONDS', describe: 'systemd\'s TimeoutStartSec= (a first pull may need more than the 90 s default)' },
    { name: 'no-header', type: 'boolean', describe: 'leave out the header of comments (version and date)' },
    { name: 'container-prefix', type: 'string', valueName: 'PREFIX', default: 'container', describe: 'the start of the service\'s name' },
    { name: 'separator', type: 'string', valueName: 'SEP', default: '-', describe: 'between the prefix and the container\'s name or id' },
  ],
  examples: [
    { command: 'tpod generate systemd --new --name --files web', describe: 'container-web.service, which runs web anew at each start' },
  ],
  podmanPage: 'podman-generate-systemd',
  differences:
    'podman marks generate systemd deprecated in favour of Quadlet; tpod keeps it beside its own generator (tpod-systemd.unit(5)). --template, --pod-prefix, --wants, --after, --requires, --env and --format are not supported, nor pods. The unit sets no PODMAN_SYSTEMD_UNIT (tpod has no auto-update). With --new the unit calls tpod run with --sdnotify=conmon and --cgroups=no-conmon as podman\'s does; its ExecStop is tpod stop -t, and its ExecStopPost tpod rm -f --ignore --cidfile, which kills what is left at once.',
  run: async (args) => {
    const { generateSystemd: generateUnit, writeUnit } = await import('../../engine/generate-systemd.js');
    const ctx = contextFromEnv(process.env);
    const unit = generateUnit(
      ctx,
      String(args.container),
      {
        new: Boolean(args.new),
        useName: Boolean(args.name),
        ...(args['restart-policy'] !== undefined ? { restartPolicy: String(args['restart-policy']) } : {}),
        ...(args['restart-sec'] !== undefined ? { restartSec: Number(args['restart-sec']) } : {}),
        ...(args['stop-timeout'] !== undefined ? { stopTimeout: parseStopTimeout(args['stop-timeout'], '--stop-timeout') } : {}),
        ...(args['start-timeout'] !== undefined ? { startTimeout: Number(args['start-timeout']) } : {}),
        noHeader: Boolean(args['no-header']),
        containerPrefix: String(args['container-prefix']),
        separator: String(args.separator),
      },
      runTakesValue,
    );
    process.stdout.write(args.files ? `${writeUnit(unit, process.cwd())}\n` : unit.text);
  },
};
