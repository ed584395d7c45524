import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Writes an output file, creating its folder first; failures become one clear message naming the file. */
export function writeOutputFile(what: string, file: string, text: string): void {
  try {
    mkdirSync(dirname(resolve(file)), { recursive: true });
    writeFileSync(file, text);
  } catch (e) {
    throw new Error(`${what}: cannot write ${file} (${(e as Error).message})`);
  }
}
