/** Readers for /proc text. Pure. */

export interface IdMapEntry {
  readonly container_id: number;
  readonly host_id: number;
  readonly size: number;
}

/** /proc/PID/uid_map and gid_map, with podman info's field names. */
export function parseIdMap(text: string): IdMapEntry[] {
  return text
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter((f) => f.length === 3 && f.every(Number.isInteger))
    .map(([container_id, host_id, size]) => ({ container_id: container_id!, host_id: host_id!, size: size! }));
}

export interface ProcStat {
  readonly state: string;
  /** Clock ticks since boot: with the pid, it names one process for good. */
  readonly startTime: number;
}

/** /proc/PID/stat; comm may hold spaces and parentheses, so fields count from the last ')'. */
export function parseStat(text: string): ProcStat | undefined {
  const end = text.lastIndexOf(')');
  if (end < 0) return undefined;
  const fields = text.slice(end + 2).split(' ');
  const startTime = Number(fields[19]);
  return fields[0] && Number.isInteger(startTime) ? { state: fields[0], startTime } : undefined;
}
