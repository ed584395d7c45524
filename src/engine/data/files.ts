import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { SpecPath } from '../../shared/findings';
import { DataError } from './errors';

/** Data files larger than this are refused rather than read into memory. */
export const MAX_DATA_FILE_BYTES = 512 * 1024 * 1024;

/** A path as written in the spec, resolved against the spec file's folder (the working directory when the spec has no file). */
export function resolveDataPath(specFile: string, written: string): string {
  if (isAbsolute(written)) return written;
  return resolve(specFile ? dirname(specFile) : process.cwd(), written);
}

export function readDataFile(file: string, path: SpecPath): Buffer {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new DataError(`${file}: not a regular file (${path})`, path, file);
    size = stat.size;
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`${file}: cannot read data file (${path}): ${(err as Error).message}`, path, file);
  }
  if (size > MAX_DATA_FILE_BYTES) {
    throw new DataError(`${file}: ${(size / 2 ** 20).toFixed(0)} MiB is larger than the ${MAX_DATA_FILE_BYTES / 2 ** 20} MiB limit for data files (${path})`, path, file);
  }
  return readFileSync(file);
}
