/** Sizes and ages as podman prints them (go-units: SI sizes, "2 weeks ago"). Pure. */

const SIZE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** BYTES in the largest of UNITS (each BASE times the last) that keeps it at least 1: go-units' getSizeAndUnit. */
function scale(bytes: number, base: number, units: readonly string[]): [number, string] {
  let value = bytes;
  let unit = 0;
  while (value >= base && unit < units.length - 1) {
    value /= base;
    unit++;
  }
  return [value, units[unit]!];
}

/** Three significant digits, decimal units: 7340032 -> "7.34 MB". */
export function humanSize(bytes: number): string {
  const [value, unit] = scale(bytes, 1000, SIZE_UNITS);
  return `${Number(value.toPrecision(3))} ${unit}`;
}

/** go-units HumanDuration, as podman's CREATED column shows it. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}

export function timeAgo(iso: string, now: number = Date.now()): string {
  const then = Date.parse(iso);
  return Number.isNaN(then) ? '' : `${humanDuration(now - then)} ago`;
}

/** go-units HumanSize, as podman stats prints sizes: four significant digits, no space (100.3MB, 0B). */
export function goHumanSize(bytes: number): string {
  const [value, unit] = scale(bytes, 1000, SIZE_UNITS);
  return `${Number(value.toPrecision(4))}${unit}`;
}

/** go-units BytesSize: four significant digits in powers of 1024 (44KiB). */
export function goBytesSize(bytes: number): string {
  const [value, unit] = scale(bytes, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']);
  return `${Number(value.toPrecision(4))}${unit}`;
}
