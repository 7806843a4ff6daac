/**
 * Whether the kernel's OOM killer ended a container. Its own cgroup goes
 * with it, often before anyone has read its memory.events (systemd removes
 * an emptied scope at once), so tpod also counts the OOM kills of the slice
 * that holds every container's scope: a container that ended by SIGKILL
 * while that count grew was killed for memory. (conmon's own watch, exact
 * when it wins the same race, is read too: see finishContainer.)
 */
import { readFileSync } from 'node:fs';

/** oom_kill in a memory.events file. Pure. */
export function oomKills(memoryEvents: string): number {
  return Number(/^oom_kill (\d+)$/m.exec(memoryEvents)?.[1] ?? 0);
}

/** OOM kills so far in the slice of the user's manager where the runtime makes each container's scope (cgroups/plan.ts). */
export function sliceOomKills(hostUid: number): number {
  try {
    return oomKills(readFileSync(`/sys/fs/cgroup/user.slice/user-${hostUid}.slice/user@${hostUid}.service/user.slice/memory.events`, 'utf8'));
  } catch {
    // No container has made the slice yet.
    return 0;
  }
}
