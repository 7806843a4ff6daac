/**
 * The one error type tpod raises on purpose. main.ts turns it into one line on
 * stderr and its exit code; everything else that escapes is a bug and is shown
 * the same way, with the stack only at --log-level=debug.
 */
export const EXIT_TPOD = 125;
export const EXIT_CANNOT_INVOKE = 126;
export const EXIT_NOT_FOUND = 127;
/** podman rmi and volume rm: the thing is used by a container. */
export const EXIT_IN_USE = 2;
/** The reader of our output went away (tpod ps | head -1): 128 + SIGPIPE, as a shell shows podman ended by it. */
export const EXIT_BROKEN_PIPE = 141;

/**
 * Ends tpod quietly when its standard output's reader has gone: podman dies of
 * SIGPIPE there, and Node, which ignores SIGPIPE, would print a stack trace.
 */
export function endOnBrokenPipe(err: NodeJS.ErrnoException): void {
  if (err.code === 'EPIPE') process.exit(EXIT_BROKEN_PIPE);
  process.stderr.write(`Error: cannot write the output: ${err.message}\n`);
  process.exit(EXIT_TPOD);
}

export interface TpodErrorOptions {
  hint?: string;
  exitCode?: number;
  cause?: unknown;
}

export class TpodError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(message: string, options: TpodErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TpodError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? EXIT_TPOD;
  }
}

/** An image, volume or container that does not exist: the removal commands exit 1 for it. */
export class NotFound extends TpodError {}

/** The one line a user sees for any error. */
export function errorLine(err: unknown): string {
  if (err instanceof TpodError) return err.hint ? `${err.message}: ${err.hint}` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Node's fs errors carry a code; this reads it without casts at call sites. */
export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}
