/** Every command tpod has, in the order `tpod --help` lists them. */
import { complete } from './commands/complete.js';
import { create } from './commands/create.js';
import { help } from './commands/help.js';
import { image } from './commands/image.js';
import { images } from './commands/images.js';
import { importCommand } from './commands/import.js';
import { info } from './commands/info.js';
import { load } from './commands/load.js';
import { login } from './commands/login.js';
import { logout } from './commands/logout.js';
import { pull } from './commands/pull.js';
import { ps } from './commands/ps.js';
import { push } from './commands/push.js';
import { rm } from './commands/rm.js';
import { rmi } from './commands/rmi.js';
import { run } from './commands/run.js';
import { save } from './commands/save.js';
import { start } from './commands/start.js';
import { system } from './commands/system.js';
import { tag } from './commands/tag.js';
import { unshare } from './commands/unshare.js';
import { untag } from './commands/untag.js';
import { version } from './commands/version.js';
import { volume } from './commands/volume.js';
import type { CommandSpec } from './spec.js';

export const commands: readonly CommandSpec[] = [create, image, images, importCommand, info, load, login, logout, ps, pull, push, rm, rmi, run, save, start, system, tag, unshare, untag, version, volume, help, complete];
