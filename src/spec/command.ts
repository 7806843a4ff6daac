/**
 * process.args: the image's Entrypoint and Cmd merged with --entrypoint and
 * the command given after the image, as podman's makeCommand merges them. Pure.
 */
import { EXIT_NOT_FOUND, TpodError } from '../errors.js';

/** Where --init's binary is mounted in the container (podman: /run/podman-init). */
export const INIT_PATH = '/run/tpod-init';

export interface CommandInput {
  readonly imageEntrypoint?: readonly string[] | null | undefined;
  readonly imageCmd?: readonly string[] | null | undefined;
  /** --entrypoint as parseEntrypoint read it; undefined when not given. */
  readonly entrypoint?: readonly string[] | undefined;
  /** COMMAND [ARG...] after the image; empty when none. */
  readonly command?: readonly string[] | undefined;
  readonly init?: boolean | undefined;
}

/** --entrypoint takes a JSON array (`'["sh","-c"]'`) or one program; '' clears the image's. */
export function parseEntrypoint(text: string): string[] {
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed) && parsed.every((a) => typeof a === 'string')) return parsed;
  } catch {
    // Not JSON: the whole text is the program.
  }
  return [text];
}

export function makeCommand(input: CommandInput): string[] {
  const entrypoint = input.entrypoint ?? input.imageEntrypoint ?? [];
  // [""] is how `--entrypoint ''` (or an image) says "no entrypoint".
  const head = entrypoint.length === 1 && entrypoint[0] === '' ? [] : entrypoint;
  // A given --entrypoint, even '', drops the image's Cmd (Docker and podman agree).
  const command = input.command?.length ? input.command : input.entrypoint?.length ? [] : (input.imageCmd ?? []);
  const args = [...head, ...command];
  if (args.length === 0) {
    // podman passes [""] to the runtime, which fails with "not found": same code, clearer words.
    const why = input.entrypoint ? "--entrypoint '' cleared the image's" : 'the image defines none';
    throw new TpodError(`no command to run: ${why}; give one after the image name`, { exitCode: EXIT_NOT_FOUND });
  }
  return input.init ? [INIT_PATH, '--', ...args] : args;
}
