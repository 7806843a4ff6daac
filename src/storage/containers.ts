/**
 * Container records under $XDG_DATA_HOME/tpod/containers/<id>/:
 *
 *   container.json   what the container is (image, command, name, state)
 *   bundle/          the OCI bundle: config.json, and rootfs/ where the overlay is mounted
 *   upper/, work/    the container's own overlay layer
 *   etc/             the generated hosts, hostname and resolv.conf, bound into it
 *
 * Names are unique, checked and taken under the store lock.
 */
import { closeSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { NotFound, TpodError } from '../errors.js';
import type { PortMapping } from '../network/ports.js';
import type { HealthResults } from '../spec/healthcheck.js';
import { LOCK_EX, LOCK_NB, LOCK_SH, SysError, flock } from '../sys/libc.js';
import { listRecords, randomBytes, readRecord, writeRecord } from './records.js';
import type { Store } from './store.js';

export type ContainerState = 'created' | 'running' | 'exited';

export interface ContainerRecord {
  readonly id: string;
  readonly name: string;
  readonly imageId: string;
  readonly imageName: string;
  readonly command: readonly string[];
  readonly created: string;
  readonly state: ContainerState;
  readonly exitCode?: number;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** --label KEY=VALUE. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Remove it when it exits (--rm). */
  readonly autoRemove: boolean;
  /** The named and anonymous volumes it mounts: volume rm and prune leave these alone. */
  readonly volumes?: readonly string[];
  /** The words it was made with, after the program's name (podman's CreateCommand). */
  readonly createCommand?: readonly string[];
  /** What its start needs (the engine's ContainerConfig; opaque to storage). */
  readonly config: unknown;
  /** Its published ports as its last start got them: a free host port where none was asked for. */
  readonly ports?: readonly PortMapping[];
  /** How often --restart has started it again since the user last did. */
  readonly restartCount?: number;
  /** Stopped or killed through tpod: --restart leaves it stopped. */
  readonly stoppedByUser?: boolean;
  /** The kernel's OOM killer killed a process of it in its last run (inspect's State.OOMKilled). */
  readonly oomKilled?: boolean;
  /** With a memory limit: the OOM kills counted in the containers' slice when it started (cgroups/oom.ts). */
  readonly oomBaseline?: number;
  /** The container's own process while it runs, as the runtime reported it. */
  readonly pid?: number;
  /** What watches a running container: its attached tpod, or conmon for a detached one; by pid and start time (a pid is reused). */
  readonly monitor?: { readonly pid: number; readonly startTime: number };
  /**
   * A running container frozen by `tpod pause`. It stays "running" to the
   * rest of tpod: its process and monitor live on, and stop, kill and rm -f
   * end it as they end any running one.
   */
  readonly paused?: boolean;
  /** A running container's healthcheck timer: its systemd unit's name (without .timer), which its end removes. */
  readonly healthTimer?: string;
  /** Its healthcheck's status and last results (inspect's State.Health), from its last start on. */
  readonly health?: HealthResults;
}

export interface ContainerPaths {
  readonly dir: string;
  readonly bundle: string;
  readonly rootfs: string;
  readonly upper: string;
  readonly work: string;
  readonly etc: string;
  /** What the container wrote to stdout and stderr, in podman's k8s-file format (conmon writes it). */
  readonly log: string;
}

const ADJECTIVES = [
  'agile', 'bold', 'brave', 'bright', 'busy', 'calm', 'clever', 'cosy', 'curious', 'daring', 'eager', 'fancy', 'fierce', 'gentle',
  'glad', 'happy', 'hardy', 'jolly', 'keen', 'kind', 'lively', 'lucid', 'mellow', 'merry', 'modest', 'nimble', 'noble', 'patient',
  'plucky', 'proud', 'quick', 'quiet', 'rapid', 'sharp', 'shy', 'silly', 'sleepy', 'smart', 'steady', 'sunny', 'swift', 'tidy',
  'vivid', 'warm', 'wise', 'witty', 'zany', 'zealous',
];
const NOUNS = [
  'albatross', 'badger', 'beaver', 'bison', 'crane', 'curlew', 'dingo', 'dolphin', 'eagle', 'egret', 'falcon', 'ferret', 'finch',
  'gecko', 'gibbon', 'heron', 'hornet', 'ibex', 'jackal', 'kestrel', 'koala', 'lemur', 'lynx', 'magpie', 'marmot', 'marten', 'mole',
  'newt', 'ocelot', 'otter', 'owl', 'panda', 'pelican', 'puffin', 'quail', 'raven', 'robin', 'salmon', 'seal', 'shrew', 'stoat',
  'swift', 'tapir', 'tern', 'toad', 'vole', 'walrus', 'weasel', 'wombat', 'wren', 'yak', 'zebra',
];

/** podman's style of generated name (adjective_noun), from random bytes. Pure. */
export function generatedName(bytes: Buffer): string {
  return `${ADJECTIVES[bytes[0]! % ADJECTIVES.length]}_${NOUNS[bytes[1]! % NOUNS.length]}`;
}

/**
 * A generated name none of TAKEN has: adjective_noun, and once a few tries
 * have met only names in use, with a number after it (the pairs are finite,
 * the containers are not). Pure but for RANDOM.
 */
export function freeName(taken: ReadonlySet<string>, random: (n: number) => Buffer): string {
  for (let tries = 0; ; tries++) {
    const bytes = random(4);
    const name = tries < 8 ? generatedName(bytes) : `${generatedName(bytes)}_${bytes.readUInt16LE(2)}`;
    if (!taken.has(name)) return name;
  }
}

/** Where the container records of the store at STOREROOT live. */
export function containersDir(storeRoot: string): string {
  return join(storeRoot, 'containers');
}

export class Containers {
  readonly dir: string;

  constructor(private readonly store: Store) {
    this.dir = containersDir(store.root);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  paths(id: string): ContainerPaths {
    const dir = join(this.dir, id);
    return { dir, bundle: join(dir, 'bundle'), rootfs: join(dir, 'bundle', 'rootfs'), upper: join(dir, 'upper'), work: join(dir, 'work'), etc: join(dir, 'etc'), log: join(dir, 'ctr.log') };
  }

  list(): ContainerRecord[] {
    return listRecords<ContainerRecord>(this.dir, 'container.json');
  }

  get(id: string): ContainerRecord | undefined {
    return readRecord<ContainerRecord>(join(this.paths(id).dir, 'container.json'));
  }

  /** By full id, unique id prefix, or name. */
  find(nameOrId: string): ContainerRecord {
    const all = this.list();
    const byName = all.find((c) => c.name === nameOrId);
    if (byName) return byName;
    const byId = all.filter((c) => c.id.startsWith(nameOrId));
    if (byId.length === 1 && nameOrId.length >= 3) return byId[0]!;
    throw new NotFound(`no container with name or ID "${nameOrId}" found: no such container`);
  }

  /** Creates the record and its directories; NAME (or a generated one) must be free. */
  create(fields: Omit<ContainerRecord, 'id' | 'name' | 'created' | 'state'> & { name: string | undefined }): ContainerRecord {
    return this.store.locked(() => {
      const taken = new Set(this.list().map((c) => c.name));
      let name = fields.name;
      if (name !== undefined && taken.has(name)) {
        throw new TpodError(`the container name "${name}" is already in use`, { hint: 'remove that container or choose another name' });
      }
      name ??= freeName(taken, randomBytes);
      const id = randomBytes(32).toString('hex');
      const record: ContainerRecord = { ...fields, id, name, created: new Date().toISOString(), state: 'created' };
      const p = this.paths(id);
      // Built in the store's staging area, then renamed: a half-made container is never
      // listed, and one a killed tpod left half-made is cleared with the rest of tmp/.
      const staged = this.store.staging();
      for (const d of ['bundle/rootfs', 'work', 'etc']) mkdirSync(join(staged, d), { recursive: true, mode: 0o700 });
      // The overlay's root directory takes the upper layer's mode: 0700 would lock every
      // user but root out of "/". The container's own directory (0700) keeps others out.
      mkdirSync(join(staged, 'upper'), { mode: 0o755 });
      writeRecord(join(staged, 'container.json'), record);
      renameSync(staged, p.dir);
      return record;
    });
  }

  /**
   * Holds container ID's root for reading while it is stopped (cp, export
   * mount it themselves); returns the release. Taken under the store lock, as
   * checkStartable is, so a start and a copy never mount its layer at once.
   */
  holdStopped(id: string): () => void {
    const fd = openSync(join(this.paths(id).dir, 'use.lock'), 'a', 0o600);
    flock(fd, LOCK_SH);
    return () => closeSync(fd);
  }

  /** Throws if something holds container ID's root as holdStopped does; a start checks, under the store lock. */
  checkStartable(id: string, name: string): void {
    const fd = openSync(join(this.paths(id).dir, 'use.lock'), 'a', 0o600);
    try {
      flock(fd, LOCK_EX | LOCK_NB);
    } catch (err) {
      if (err instanceof SysError && err.errno === osConstants.errno.EWOULDBLOCK) {
        throw new TpodError(`container ${name} is being copied from or exported: start it when that is done`);
      }
      throw err;
    } finally {
      closeSync(fd);
    }
  }

  /** Writes RECORD whole, for a change that drops fields. */
  replace(record: ContainerRecord): void {
    writeRecord(join(this.paths(record.id).dir, 'container.json'), record);
  }

  /** Read, changed and written under the store's lock: two tpods changing one record lose nothing. */
  update(id: string, change: Partial<ContainerRecord>): ContainerRecord {
    return this.store.locked(() => {
      const file = join(this.paths(id).dir, 'container.json');
      const current = readRecord<ContainerRecord>(file);
      if (!current) throw new TpodError(`container ${id} was removed meanwhile`);
      const record = { ...current, ...change };
      writeRecord(file, record);
      return record;
    });
  }

  /** Gives container ID the name NAME: one podman would accept, and free (checked under the store lock). */
  rename(id: string, name: string): ContainerRecord {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw new TpodError(`invalid container name "${name}": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*`);
    return this.store.locked(() => {
      const holder = this.list().find((c) => c.name === name);
      if (holder && holder.id !== id) throw new TpodError(`the container name "${name}" is already in use`, { hint: 'remove that container or choose another name' });
      return this.update(id, { name });
    });
  }

  /** Removes the directories; the caller has unmounted the root filesystem. */
  remove(id: string): void {
    // Out of sight first (one rename into the staging area), then deleted.
    const trash = this.store.staging();
    renameSync(this.paths(id).dir, join(trash, 'container'));
    rmSync(trash, { recursive: true, force: true });
  }
}
