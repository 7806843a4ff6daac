/**
 * The stderr logger. Command results never go through it (they belong to
 * cli/output); it is for warnings and for what --log-level=debug shows.
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal', 'panic'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

let threshold = LOG_LEVELS.indexOf('warn');

export function setLogLevel(level: LogLevel): void {
  threshold = LOG_LEVELS.indexOf(level);
}

export function enabled(level: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= threshold;
}

function write(level: LogLevel, label: string, message: string): void {
  if (enabled(level)) process.stderr.write(`${label}: ${message}\n`);
}

export const log = {
  debug: (message: string) => write('debug', 'DEBU', message),
  info: (message: string) => write('info', 'INFO', message),
  warn: (message: string) => write('warn', 'Warning', message),
};
