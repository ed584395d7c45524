import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Writes an output file atomically, creating its folder first: the text goes to a temporary file in the same folder, which
 * is flushed and then renamed over the target, so a full disk or a crash leaves either the previous file or the new one,
 * never a truncated mix. Failures become one clear message naming the file (the temporary file is removed).
 */
export function writeOutputFile(what: string, file: string, text: string): void {
  const target = resolve(file);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd: number | undefined;
  try {
    mkdirSync(dirname(target), { recursive: true });
    fd = openSync(temp, 'wx', 0o644);
    const bytes = Buffer.from(text, 'utf8');
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, target);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing: the message below names the original cause
      }
    }
    try {
      unlinkSync(temp);
    } catch {
      // the temporary file was never created, or is already gone
    }
    throw new Error(`${what}: cannot write ${file} (${(e as Error).message}); any previous ${file} is unchanged`);
  }
}
