/**
 * `tpod generate systemd`: a service unit for an existing container, as
 * podman's pkg/systemd/generate writes one. Without --new the unit starts
 * and stops that container (Type=forking, conmon's pid file as the main
 * pid); with --new it makes the container anew at each start from the
 * command it was created with, and removes it at each stop. Pure.
 */
import { quoteWord } from './unit-file.js';

export const RESTART_POLICIES = ['no', 'on-success', 'on-failure', 'on-abnormal', 'on-watchdog', 'on-abort', 'always'] as const;

/** Added to the container's stop timeout: systemd kills what is left once it has passed. */
const MIN_TIMEOUT_STOP_SEC = 60;

export interface GenerateContainer {
  readonly id: string;
  readonly name: string;
  /** The words it was created with, after the program's name (run ... IMAGE ...). */
  readonly createCommand?: readonly string[];
  /** Its environment as fixed at creation, for -e NAME words that took a value from the caller's. */
  readonly env: readonly string[];
  /** conmon's pid file while it runs detached. */
  readonly conmonPidFile: string;
  /** tpod's run directory, which the unit needs mounted. */
  readonly runDir: string;
}

export interface GenerateOptions {
  readonly new: boolean;
  /** --name: the container's name instead of its id, in the unit and the service's name. */
  readonly useName: boolean;
  readonly restartPolicy?: string;
  readonly restartSec?: number;
  readonly stopTimeout: number;
  readonly startTimeout?: number;
  readonly noHeader: boolean;
  readonly containerPrefix: string;
  readonly separator: string;
}

export interface GenerateInput {
  /** The tpod launcher the unit runs. */
  readonly tpod: string;
  readonly version: string;
  /** For the header; none with noHeader. */
  readonly now: Date;
  readonly container: GenerateContainer;
  readonly options: GenerateOptions;
  /** Whether WORD, an option of run, takes the next word as its value. */
  readonly takesValue: (word: string) => boolean;
}

export class GenerateError extends Error {}

/** A word for an Exec line, with systemd's specifier (%) and variable ($) characters escaped: the unit means them literally. */
export function escapeArg(word: string): string {
  return quoteWord(word.replace(/\$/g, '$$$$').replace(/%/g, '%%'));
}

/** An Exec line with each option on a line of its own, as podman writes them. */
function formatCommand(words: readonly string[]): string {
  return words.map((w, i) => (i > 0 && w.startsWith('-') ? ` \\\n\t${w}` : `${i > 0 ? ' ' : ''}${w}`)).join('');
}

/** Options of run that the unit sets itself, with whether they take a value. */
const SET_BY_UNIT: ReadonlyMap<string, boolean> = new Map([
  ['--rm', false],
  ['--replace', false],
  ['-d', false],
  ['--detach', false],
  ['--cidfile', true],
  ['--cgroups', true],
  ['--sdnotify', true],
  ['--restart', true],
]);

interface SplitCommand {
  /** Global options before run or create. */
  readonly global: string[];
  /** run's options, without those the unit sets. */
  readonly options: string[];
  /** IMAGE and the command. */
  readonly rest: string[];
  readonly restart?: string;
  readonly named: boolean;
  /** -e NAME words (no =): the unit gives them their value. */
  readonly envNames: string[];
}

/** The create command taken apart where it ends its options (the image). */
function splitCreateCommand(words: readonly string[], takesValue: (word: string) => boolean): SplitCommand {
  const at = words.findIndex((w) => w === 'run' || w === 'create');
  if (at < 0) throw new GenerateError(`the container's create command has no run or create: ${words.join(' ')}`);
  const options: string[] = [];
  const envNames: string[] = [];
  let restart: string | undefined;
  let named = false;
  let i = at + 1;
  for (; i < words.length && words[i]!.startsWith('-') && words[i] !== '--'; i++) {
    const word = words[i]!;
    const [flag, inline] = word.startsWith('--') && word.includes('=') ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] : [word, undefined];
    const hasValue = inline === undefined && takesValue(word);
    const value = inline ?? (hasValue ? words[i + 1] : undefined);
    if (hasValue) i++;
    if (flag === '--name') named = true;
    if (flag === '--restart') restart = value;
    if ((flag === '-e' || flag === '--env') && value !== undefined && !value.includes('=')) envNames.push(value);
    if (SET_BY_UNIT.has(flag)) continue;
    options.push(word, ...(hasValue && value !== undefined ? [value] : []));
  }
  if (words[i] === '--') i++;
  return { global: words.slice(0, at), options, rest: words.slice(i), ...(restart ? { restart } : {}), named, envNames };
}

interface Service {
  readonly type: 'forking' | 'notify';
  readonly execStart: string;
  readonly execStop: string;
  readonly execStopPost: string;
  readonly pidFile?: string;
  readonly restart: string;
  readonly startLimitBurst?: string;
  readonly environment: string[];
  readonly runRoot: string;
}

/** --restart of the create command as systemd's Restart= (podman's mapping). */
function restartOf(policy: string | undefined): { restart?: string; startLimitBurst?: string } {
  if (!policy || policy === 'no') return {};
  if (policy.startsWith('on-failure:')) return { restart: 'on-failure', startLimitBurst: policy.slice('on-failure:'.length) };
  return { restart: policy === 'unless-stopped' ? 'always' : policy };
}

function newService(input: GenerateInput, nameOrId: string): Service {
  const { container, options, tpod } = input;
  if (!container.createCommand?.length) throw new GenerateError(`cannot use --new on container ${nameOrId}: tpod did not record the command it was created with`);
  const cmd = splitCreateCommand(container.createCommand, input.takesValue);
  if (!cmd.rest.length) throw new GenerateError(`the container's create command names no image: ${container.createCommand.join(' ')}`);
  const cidfile = '%t/%n.ctr-id';
  const start = [
    tpod,
    ...cmd.global.map(escapeArg),
    'run',
    `--cidfile=${cidfile}`,
    '--cgroups=no-conmon',
    '--rm',
    '--sdnotify=conmon',
    '-d',
    ...(cmd.named ? ['--replace'] : []),
    ...[...cmd.options, ...cmd.rest].map(escapeArg),
  ];
  const fromCreate = options.restartPolicy === undefined ? restartOf(cmd.restart) : {};
  const environment = cmd.envNames.flatMap((name) => container.env.filter((e) => e.startsWith(`${name}=`)).map(escapeArg));
  return {
    type: 'notify',
    execStart: formatCommand(start),
    execStop: formatCommand([tpod, 'stop', '--ignore', '-t', String(options.stopTimeout), `--cidfile=${cidfile}`]),
    execStopPost: formatCommand([tpod, 'rm', '-f', '--ignore', `--cidfile=${cidfile}`]),
    restart: options.restartPolicy ?? fromCreate.restart ?? 'on-failure',
    ...(fromCreate.startLimitBurst ? { startLimitBurst: fromCreate.startLimitBurst } : {}),
    environment,
    runRoot: '%t/tpod',
  };
}

/** The unit for the container: its service name and its text. */
export function containerUnit(input: GenerateInput): { serviceName: string; text: string } {
  const { container, options, tpod } = input;
  if (options.restartPolicy !== undefined && !(RESTART_POLICIES as readonly string[]).includes(options.restartPolicy)) {
    throw new GenerateError(`${options.restartPolicy} is not a valid restart policy: use one of ${RESTART_POLICIES.join(', ')}`);
  }
  const nameOrId = options.useName ? container.name : container.id;
  const serviceName = options.containerPrefix ? `${options.containerPrefix}${options.separator}${nameOrId}` : nameOrId;
  const stop = [tpod, 'stop', '-t', String(options.stopTimeout), nameOrId];
  const service: Service = options.new
    ? newService(input, nameOrId)
    : {
        type: 'forking',
        execStart: formatCommand([tpod, 'start', nameOrId]),
        execStop: formatCommand(stop),
        execStopPost: formatCommand(stop),
        pidFile: container.conmonPidFile,
        restart: options.restartPolicy ?? 'on-failure',
        environment: [],
        runRoot: container.runDir,
      };
  const lines = [
    `# ${serviceName}.service`,
    ...(options.noHeader ? [] : [`# autogenerated by tpod ${input.version}`, `# ${input.now.toUTCString()}`]),
    '',
    '[Unit]',
    `Description=tpod ${serviceName}.service`,
    'Documentation=man:tpod-generate-systemd(1)',
    'Wants=network-online.target',
    'After=network-online.target',
    `RequiresMountsFor=${service.runRoot}`,
    '',
    '[Service]',
    ...service.environment.map((e) => `Environment=${e}`),
    `Restart=${service.restart}`,
    ...(options.restartSec !== undefined ? [`RestartSec=${options.restartSec}`] : []),
    ...(service.startLimitBurst ? [`StartLimitBurst=${service.startLimitBurst}`] : []),
    ...(options.startTimeout ? [`TimeoutStartSec=${options.startTimeout}`] : []),
    `TimeoutStopSec=${MIN_TIMEOUT_STOP_SEC + options.stopTimeout}`,
    `ExecStart=${service.execStart}`,
    `ExecStop=${service.execStop}`,
    `ExecStopPost=${service.execStopPost}`,
    ...(service.pidFile ? [`PIDFile=${service.pidFile}`] : []),
    `Type=${service.type}`,
    ...(service.type === 'notify' ? ['NotifyAccess=all'] : []),
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ];
  return { serviceName, text: lines.join('\n') };
}
