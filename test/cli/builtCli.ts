// The bundled CLI (dist/cli.js), rebuilt when any source is newer: the CLI tests run what users run.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const root = join(__dirname, '../..');
export const cli = join(root, 'dist/cli.js');

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((n) => newestMtime(join(path, n))));
}

/** Builds dist/ when dist/cli.js is missing or older than src/, schemas/ or package.json; throws with the build output on failure. */
export function ensureBuiltCli(): void {
  const inputs = [join(root, 'src'), join(root, 'schemas'), join(root, 'package.json')];
  let stale: boolean;
  try {
    stale = statSync(cli).mtimeMs < Math.max(...inputs.map(newestMtime));
  } catch {
    stale = true;
  }
  if (!stale) return;
  const b = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`build failed:\n${b.stdout}\n${b.stderr}`);
}

/**
 * Writes a CommonJS launcher at `path`: `node <path> <entry> <args…>` runs the bundled entry point and, on exit, writes
 * its peak resident memory (KiB) where the DL_RSS_FILE environment variable says.
 */
export function writeRssLauncher(path: string): void {
  writeFileSync(
    path,
    `const { writeFileSync } = require('node:fs');
const [entry, ...args] = process.argv.slice(2);
process.argv = [process.argv[0], entry, ...args];
process.on('exit', () => writeFileSync(process.env.DL_RSS_FILE, String(process.resourceUsage().maxRSS)));
require(entry);
`,
  );
}
