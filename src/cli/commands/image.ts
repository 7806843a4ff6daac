import type { CommandSpec } from '../spec.js';
import { imageInspect } from './image-inspect.js';
import { imagePrune } from './image-prune.js';
import { importCommand } from './import.js';
import { imageList } from './images.js';
import { pull } from './pull.js';
import { push } from './push.js';
import { imageRemove } from './rmi.js';
import { imageTag } from './tag.js';
import { imageUntag } from './untag.js';

export const image: CommandSpec = {
  name: 'image',
  summary: 'Manage images',
  description: 'Commands for images in local storage and in registries. tpod images, rmi, tag and untag are the same as image ls, rm, tag and untag.',
  subcommands: [{ ...importCommand, podmanPage: 'podman-import' }, imageInspect, imageList, imagePrune, { ...pull, podmanPage: 'podman-pull' }, { ...push, podmanPage: 'podman-push' }, imageRemove, imageTag, imageUntag],
};
