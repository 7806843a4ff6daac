/** `npm run docs`: writes man/tpod*.1 (and tpod-systemd.unit.5) from the command specs (node dist/gen-man.js [DIR]). */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { allPages } from './cli/man.js';
import { commands } from './cli/registry.js';
import { tpodVersion } from './version.js';

/** Writes every page into dir and removes the tpod*.1 files of commands that are gone. */
export function generateMan(dir: string): void {
  // No date: the same command data must give the same files, and the version already dates a page.
  const pages = allPages(commands, '', tpodVersion());
  const wanted = new Set(pages.map((p) => p.file));
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(dir)) if (/^tpod.*\.[15]$/.test(file) && !wanted.has(file)) rmSync(join(dir, file));
  for (const page of pages) writeFileSync(join(dir, page.file), page.text);
}

// Run as a program, not when a test imports it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) generateMan(process.argv[2] ?? 'man');
