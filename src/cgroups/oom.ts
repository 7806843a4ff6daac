/**
 * Whether the kernel's OOM killer killed a process of a container: its
 * cgroup's memory.events counts oom_kill. The cgroup goes with the
 * container, so the count is read as it changes (inotify, as conmon does for
 * a detached container), not after the end.
 */
import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { join } from 'node:path';

/** oom_kill in a memory.events file. Pure. */
export function oomKills(memoryEvents: string): number {
  return Number(/^oom_kill (\d+)$/m.exec(memoryEvents)?.[1] ?? 0);
}

/** The cgroup v2 directory of process PID, as /proc/PID/cgroup names it ("0::/path"). */
export function cgroupDirOf(pid: number): string | undefined {
  try {
    const path = /^0::(\/.*)$/m.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1];
    return path === undefined ? undefined : join('/sys/fs/cgroup', path);
  } catch {
    return undefined;
  }
}

export interface OomWatch {
  /** Stops watching; whether an OOM kill was seen. */
  stop(): boolean;
}

/** Watches the memory.events of process PID's cgroup; seen nothing where there is none. */
export function watchOom(pid: number): OomWatch {
  const dir = cgroupDirOf(pid);
  const events = dir && join(dir, 'memory.events');
  let killed = false;
  const look = () => {
    try {
      killed ||= oomKills(readFileSync(events!, 'utf8')) > 0;
    } catch {
      // The cgroup is gone with the container: what was seen stands.
    }
  };
  let watcher: FSWatcher | undefined;
  if (events) {
    try {
      watcher = watch(events, look);
      watcher.on('error', () => undefined);
      watcher.unref();
    } catch {
      // No memory controller here: no OOM kill to see.
    }
  }
  return {
    stop() {
      if (events) look();
      watcher?.close();
      return killed;
    },
  };
}
