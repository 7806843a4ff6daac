/** Every command tpod has, in the order `tpod --help` lists them. */
import { complete } from './commands/complete.js';
import { help } from './commands/help.js';
import { info } from './commands/info.js';
import { system } from './commands/system.js';
import { unshare } from './commands/unshare.js';
import { version } from './commands/version.js';
import type { CommandSpec } from './spec.js';

export const commands: readonly CommandSpec[] = [info, system, unshare, version, help, complete];
