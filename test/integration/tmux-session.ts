/** A terminal session driven through tmux, for the tests of -t, exec -t and attach. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type Sandbox, TPOD } from './helpers.js';

export const noTmux = spawnSync('tmux', ['-V']).status === 0 ? undefined : 'tmux is not installed (test/run-suite.sh installs it as root)';

/** A tmux server of this file's own (servers are per uid and socket name), running one command in a sized window. */
export class TmuxSession {
  private readonly socket = `tpod-term-${process.pid}`;
  readonly codeFile: string;

  constructor(
    private readonly box: Sandbox,
    private readonly name: string,
  ) {
    this.codeFile = join(box.dir, `${name}.code`);
  }

  /** Runs tpod ARGS in a COLUMNS x ROWS window; its exit code and our terminal's settings before and after go to files. */
  start(args: readonly string[], columns: number, rows: number): void {
    const script = join(this.box.dir, `${this.name}.sh`);
    const quoted = args.map((a) => `'${a}'`).join(' ');
    const stty = (file: string) => `stty -g > '${join(this.box.dir, `${this.name}.${file}`)}'`;
    // ^C, when not raw, reaches this shell too: a trap keeps it alive to record tpod's exit code.
    writeFileSync(script, `trap : INT\n${stty('before')}\n'${TPOD}' ${quoted}\necho $? > '${this.codeFile}.tmp'\n${stty('after')}\nmv '${this.codeFile}.tmp' '${this.codeFile}'\n`);
    // The pane stays after tpod when a test fails, for its screen to show why.
    this.tmux(['start-server', ';', 'set-option', '-g', 'remain-on-exit', 'on', ';', 'new-session', '-d', '-s', this.name, '-x', String(columns), '-y', String(rows), `sh '${script}'`]);
  }

  tmux(args: readonly string[]): string {
    const r = spawnSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { env: this.box.env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout;
  }

  screen(): string {
    return this.tmux(['capture-pane', '-p', '-t', this.name]);
  }

  keys(...keys: string[]): void {
    this.tmux(['send-keys', '-t', this.name, ...keys]);
  }

  /** Waits until the screen matches PATTERN; fails with the screen as it is. */
  async waitFor(pattern: RegExp, ms = 15_000): Promise<string> {
    const until = Date.now() + ms;
    for (;;) {
      const screen = this.screen();
      if (pattern.test(screen)) return screen;
      if (Date.now() > until) throw new Error(`waited for ${pattern} in vain; the screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The terminal inside has this COLUMNS x ROWS window's size, and follows it when the window is made 70 x 20. */
  async expectSizeFollowed(columns: number, rows: number): Promise<void> {
    this.keys('stty size', 'Enter');
    await this.waitFor(new RegExp(`^${rows} ${columns}$`, 'm'));
    this.tmux(['resize-window', '-t', this.name, '-x', '70', '-y', '20']);
    this.keys('stty size', 'Enter');
    await this.waitFor(/^20 70$/m);
  }

  async exitCode(ms = 15_000): Promise<number> {
    const until = Date.now() + ms;
    while (!existsSync(this.codeFile)) {
      if (Date.now() > until) throw new Error(`tpod did not exit; the screen:\n${this.screen()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return Number(readFileSync(this.codeFile, 'utf8'));
  }

  /** Our terminal's settings (stty -g) before tpod ran and after it exited. */
  settings(): { before: string; after: string } {
    const read = (file: string) => readFileSync(join(this.box.dir, `${this.name}.${file}`), 'utf8');
    return { before: read('before'), after: read('after') };
  }

  killServer(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { env: this.box.env, stdio: 'ignore' });
    // tmux leaves its socket behind.
    rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.()}`, this.socket), { force: true });
  }
}
