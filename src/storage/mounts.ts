/** What is mounted where, from /proc/self/mountinfo. Pure parsing. */

/** Decodes the octal escapes mountinfo uses for spaces, tabs, newlines and backslashes. */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function mountPoints(mountinfo: string): string[] {
  return mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((field): field is string => Boolean(field))
    .map(unescape);
}

/** Mount points at or below DIR, deepest first, so each can be unmounted in turn. */
export function mountsUnder(mountinfo: string, dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return mountPoints(mountinfo)
    .filter((m) => m === dir || m.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}

/** The per-mount options (ro, nosuid, ...) of the deepest mount that holds PATH. Pure. */
export function mountOptionsFor(mountinfo: string, path: string): string[] {
  let best: { point: string; options: string[] } | undefined;
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ');
    if (fields.length < 6) continue;
    const point = unescape(fields[4]!);
    const inside = path === point || path.startsWith(point === '/' ? '/' : `${point}/`);
    // Later lines are mounted over earlier ones at the same point.
    if (inside && (!best || point.length >= best.point.length)) best = { point, options: fields[5]!.split(',') };
  }
  return best?.options ?? [];
}
