/**
 * --sdnotify: what tpod does with the NOTIFY_SOCKET of a Type=notify unit
 * that runs it, as podman does (docs options/sdnotify.md; libpod's
 * Container.start and mountNotifySocket):
 * - conmon: once the container runs, tpod tells systemd that conmon is the
 *   unit's main process and that the unit is ready;
 * - container: tpod tells systemd that conmon is the main process; the
 *   container says READY=1 itself, through a socket conmon relays
 *   (--sdnotify-socket) and which the container sees as
 *   /run/notify/notify.sock;
 * - ignore: nothing.
 * The socket itself never reaches conmon's, the runtime's or the container's
 * environment (engine/context.ts takes it out of tpod's own).
 */
import { join } from 'node:path';
import { TpodError } from '../errors.js';
import { log } from '../log.js';
import type { SpecMount } from '../spec/mounts.js';
import { sendDatagram } from '../sys/libc.js';

export type SdNotifyMode = 'container' | 'conmon' | 'ignore';
export const SDNOTIFY_MODES: readonly SdNotifyMode[] = ['container', 'conmon', 'ignore'];

/** What a container records at creation: the mode, and the socket of the unit that created it. */
export interface SdNotify {
  readonly mode: Exclude<SdNotifyMode, 'ignore'>;
  readonly socket: string;
}

/** Where the container finds conmon's relay socket. */
export const CONTAINER_NOTIFY_DIR = '/run/notify';

export function parseSdNotifyMode(text: string): SdNotifyMode {
  if ((SDNOTIFY_MODES as readonly string[]).includes(text)) return text as SdNotifyMode;
  if (text === 'healthy') throw new TpodError('--sdnotify=healthy needs a healthcheck, and tpod has none yet: use conmon or container');
  throw new TpodError(`invalid --sdnotify "${text}": expected container, conmon or ignore`);
}

/** What a container created with MODE under a unit's SOCKET records; nothing without a socket or with ignore. Pure. */
export function sdNotifyFor(mode: SdNotifyMode, socket: string | undefined): SdNotify | undefined {
  return mode === 'ignore' || !socket ? undefined : { mode, socket };
}

/** The message for systemd once the container runs under conmon CONMONPID. Pure. */
export function startedMessage(notify: SdNotify, conmonPid: number): string {
  return notify.mode === 'conmon' ? `MAINPID=${conmonPid}\nREADY=1` : `MAINPID=${conmonPid}`;
}

/** The directory of the bundle conmon binds its relay socket in (conmon's own choice: notify/notify.sock). */
export const relayDir = (bundle: string): string => join(bundle, 'notify');

/** The container's part with --sdnotify=container: conmon's relay directory and NOTIFY_SOCKET pointing into it. Pure. */
export function containerNotify(bundle: string): { mount: SpecMount; env: string } {
  return {
    mount: { type: 'bind', source: relayDir(bundle), destination: CONTAINER_NOTIFY_DIR, options: ['bind'] },
    env: `NOTIFY_SOCKET=${CONTAINER_NOTIFY_DIR}/notify.sock`,
  };
}

/** Sends MESSAGE to the unit's socket; a failure is a warning, as with podman: the container runs all the same. */
export function tellSystemd(socket: string, message: string): void {
  try {
    sendDatagram(socket, Buffer.from(message));
  } catch (err) {
    log.warn(`cannot notify systemd at ${socket}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
