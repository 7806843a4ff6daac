import type { CommandSpec } from '../spec.js';
import { attach } from './attach.js';
import { containerCleanup } from './container-cleanup.js';
import { containerInspect } from './container-inspect.js';
import { containerPrune } from './container-prune.js';
import { cp } from './cp.js';
import { create } from './create.js';
import { diff } from './diff.js';
import { exec } from './exec.js';
import { exportCommand } from './export.js';
import { kill } from './kill.js';
import { logs } from './logs.js';
import { pause } from './pause.js';
import { port } from './port.js';
import { ps } from './ps.js';
import { rename } from './rename.js';
import { restart } from './restart.js';
import { rm } from './rm.js';
import { run } from './run.js';
import { start } from './start.js';
import { stats } from './stats.js';
import { stop } from './stop.js';
import { top } from './top.js';
import { unpause } from './unpause.js';
import { update } from './update.js';
import { wait } from './wait.js';

/** podman's `container` group: the top-level container commands under it too, ps as ls. */
export const container: CommandSpec = {
  name: 'container',
  summary: 'Manage containers',
  description: 'Commands for containers. Most are also top-level commands (tpod container rm is tpod rm); tpod container ls is tpod ps.',
  subcommands: [
    attach, containerCleanup, cp, create, diff, exec, exportCommand, containerInspect, kill, logs, pause,
    { ...ps, name: 'ls', aliases: ['list', 'ps'], podmanPage: 'podman-ps' },
    port, containerPrune, rename, restart, rm, run, start, stats, stop, top, unpause, update, wait,
  ],
};
