import type { CommandSpec } from '../spec.js';
import { volumeCreate } from './volume-create.js';
import { volumeInspect } from './volume-inspect.js';
import { volumeList } from './volume-ls.js';
import { volumePrune } from './volume-prune.js';
import { volumeRemove } from './volume-rm.js';

export const volume: CommandSpec = {
  name: 'volume',
  summary: 'Manage volumes',
  description:
    'Commands for named volumes: directories under $XDG_DATA_HOME/tpod/volumes that outlive the containers that mount them (tpod run -v NAME:CTR-DIR, or --mount type=volume). A volume a container names is made on its first use; an anonymous one (-v CTR-DIR) goes with its container when that is run with --rm.',
  subcommands: [volumeCreate, volumeInspect, volumeList, volumePrune, volumeRemove],
};
