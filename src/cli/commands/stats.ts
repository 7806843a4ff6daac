import type { ContainerStats } from '../../cgroups/stats.js';
import { contextFromEnv } from '../../engine/context.js';
import type { StatsSelection } from '../../engine/stats.js';
import { TpodError } from '../../errors.js';
import { renderRows } from '../output/table-format.js';
import { goDuration } from '../../engine/top.js';
import { goBytesSize, goHumanSize } from '../output/units.js';
import type { CommandSpec } from '../spec.js';

const DEFAULT_FORMAT = 'table {{.ID}} {{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.MemPerc}} {{.NetIO}} {{.BlockIO}} {{.PIDS}} {{.UpTime}} {{.AVGCPU}}';

/** podman's column names for the fields it does not name by their words. */
const HEADERS: Readonly<Record<string, string>> = {
  ID: 'ID',
  UpTime: 'CPU TIME',
  CPUPerc: 'CPU %',
  AVGCPU: 'AVG CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemUsageBytes: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET IO',
  BlockIO: 'BLOCK IO',
  PIDS: 'PIDS',
};

const percent = (value: number): string => `${value.toFixed(2)}%`;
const nano = (usec: number): bigint => BigInt(usec) * 1000n;

/** The fields --format templates see, with podman's names (its ContainerStats and the methods of its report). Pure. */
export function statsFields(s: ContainerStats, noTrunc: boolean) {
  const rx = Object.values(s.network).reduce((n, i) => n + i.rxBytes, 0);
  const tx = Object.values(s.network).reduce((n, i) => n + i.txBytes, 0);
  const cpuTime = goDuration(s.cpuUsec / 1e6);
  return {
    ID: noTrunc ? s.id : s.id.slice(0, 12),
    ContainerID: s.id,
    Name: s.name,
    CPU: s.cpu,
    CPUPerc: percent(s.cpu),
    AvgCPU: s.avgCpu,
    AVGCPU: percent(s.avgCpu),
    CPUNano: nano(s.cpuUsec),
    CPUSystemNano: nano(s.cpuSystemUsec),
    Duration: nano(s.cpuUsec),
    SystemNano: nano(s.systemUsec),
    Up: cpuTime,
    UpTime: cpuTime,
    MemUsage: `${goHumanSize(s.memUsage)} / ${goHumanSize(s.memLimit)}`,
    MemUsageBytes: `${goBytesSize(s.memUsage)} / ${goBytesSize(s.memLimit)}`,
    MemLimit: s.memLimit,
    MemPerc: percent(s.memPerc),
    NetIO: `${goHumanSize(rx)} / ${goHumanSize(tx)}`,
    Network: Object.fromEntries(
      Object.entries(s.network).map(([name, i]) => [
        name,
        { RxBytes: i.rxBytes, RxDropped: i.rxDropped, RxErrors: i.rxErrors, RxPackets: i.rxPackets, TxBytes: i.txBytes, TxDropped: i.txDropped, TxErrors: i.txErrors, TxPackets: i.txPackets },
      ]),
    ),
    BlockIO: `${goHumanSize(s.blockInput)} / ${goHumanSize(s.blockOutput)}`,
    BlockInput: s.blockInput,
    BlockOutput: s.blockOutput,
    PIDS: String(s.pids),
    PIDs: s.pids,
  };
}

/** --format json: podman's own keys for a stats report, each value as the table shows it. Pure. */
export function statsJson(fields: readonly ReturnType<typeof statsFields>[]): string {
  const rows = fields.map((f) => ({
    id: f.ID,
    name: f.Name,
    cpu_time: f.Up,
    cpu_percent: f.CPUPerc,
    avg_cpu: f.AVGCPU,
    mem_usage: f.MemUsage,
    mem_percent: f.MemPerc,
    net_io: f.NetIO,
    block_io: f.BlockIO,
    pids: f.PIDS,
  }));
  // podman indents its stats with one space.
  return `${JSON.stringify(rows, null, 1)}\n`;
}

/** What to show, checked as podman checks it. Pure. */
export function statsSelection(names: readonly string[], all: boolean, latest: boolean): StatsSelection {
  if ([all, latest, names.length > 0].filter(Boolean).length > 1) throw new TpodError('--all, --latest and containers cannot be used together');
  if (names.length) return { names };
  return latest ? { latest: true } : { all };
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export const stats: CommandSpec = {
  name: 'stats',
  summary: 'Display a live stream of container resource usage statistics',
  description: [
    "Shows the CPU, memory, network, block I/O and process use of the running containers, or of each CONTAINER named, or with --all of every container (those not running with zeros): ID, NAME, CPU % (since the last sample; the first sample's since the container's start), MEM USAGE / LIMIT (the memory it holds less the page cache it can give back, and its limit, the host's memory where it has none), MEM %, NET IO (received / sent, on its interfaces but loopback), BLOCK IO (read / written), PIDS, CPU TIME (CPU time used) and AVG CPU % (since its start). One busy thread is 100 %: percentages are of one CPU.",
    'Values come from the container\'s own cgroup v2 (cpu.stat, memory.current, memory.max, io.stat, pids.current) and its network namespace, so stats needs cgroup v2 delegated by systemd (tpod info says whether it is); without it, stats fails in one line that says what is missing. A container named that has no cgroup of its own (it shares its monitor\'s) is an error; in a list, it is left out. A container on the host\'s network shows no network I/O.',
    'Until interrupted, a new sample every --interval seconds: on a terminal the screen is cleared for each (unless --no-reset), otherwise each is printed after the last. --no-stream prints one sample and exits.',
  ].join('\n\n'),
  positionals: [{ name: 'container', describe: 'the containers, by name or id', variadic: true, optional: true }],
  options: [
    { name: 'all', alias: 'a', type: 'boolean', describe: 'all containers, not only running ones' },
    { name: 'format', type: 'string', valueName: 'FORMAT', describe: "'json', or a Go template such as 'table {{.ID}} {{.Name}} {{.MemUsage}}' ('table' adds a header line)", complete: ['json', 'table'] },
    { name: 'interval', alias: 'i', type: 'number', valueName: 'SECONDS', default: 5, describe: 'time between samples' },
    { name: 'latest', alias: 'l', type: 'boolean', describe: 'only the container created last' },
    { name: 'no-reset', type: 'boolean', describe: 'do not clear the terminal between samples' },
    { name: 'no-stream', type: 'boolean', describe: 'print one sample and exit' },
    { name: 'no-trunc', type: 'boolean', describe: 'show whole container ids' },
  ],
  examples: [
    { command: 'tpod stats --all --no-stream', describe: 'one sample of every container' },
    { command: "tpod stats --no-stream --format 'table {{.ID}} {{.Name}} {{.MemUsage}}' web", describe: "the memory of container web, with a header line" },
  ],
  run: async (args) => {
    const { StatsSampler } = await import('../../engine/stats.js');
    const names = ((args.container as string[] | undefined) ?? []).map(String);
    const selection = statsSelection(names, Boolean(args.all), Boolean(args.latest));
    const interval = Number(args.interval);
    if (!(interval >= 1)) throw new TpodError('invalid interval, must be a positive number greater zero');
    const given = args.format as string | undefined;
    const format = given === undefined || given === 'table' ? DEFAULT_FORMAT : given;
    const redraw = process.stdout.isTTY && !args['no-reset'];
    // A reader that stops reading (stats | head) ends a stream as ^C does.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
    });
    const sampler = new StatsSampler(contextFromEnv(process.env), selection);
    for (;;) {
      const fields = sampler.sample().map((s) => statsFields(s, Boolean(args['no-trunc'])));
      const text = format === 'json' ? statsJson(fields) : renderRows(format, fields, HEADERS);
      // Clear the screen, then put the cursor at its top left, as podman does.
      process.stdout.write(redraw ? `\x1b[2J\x1b[1;1H${text}` : text);
      if (args['no-stream']) return;
      await sleep(interval * 1000);
    }
  },
};
