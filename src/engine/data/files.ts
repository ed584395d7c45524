import { statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { SpecPath } from '../../shared/findings';
import { DataError } from './errors';

/** Data files larger than this are refused before they are opened. */
export const MAX_DATA_FILE_BYTES = 512 * 1024 * 1024;
/** Most numbers a data set may hold: 1 GiB as float64 (a 512 MiB csv of one-digit cells would hold twice as many). */
export const MAX_DATA_VALUES = 2 ** 27;
/** data.features' maximum in the spec schema; a file's feature columns are held to it as well. */
export const MAX_FEATURES = 8192;

/** A path as written in the spec, resolved against the spec file's folder (the working directory when the spec has no file). */
export function resolveDataPath(specFile: string, written: string): string {
  if (isAbsolute(written)) return written;
  return resolve(specFile ? dirname(specFile) : process.cwd(), written);
}

/**
 * Refuses, from its stat alone, a data file that cannot be read as data: missing, a folder, a FIFO (opening one with no
 * writer would block forever), a device, or larger than MAX_DATA_FILE_BYTES.
 */
export function assertReadableDataFile(file: string, path: SpecPath): void {
  let stat;
  try {
    stat = statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'cannot stat it');
    throw new DataError(`${file}: cannot read data file (${path}): ${why}`, path, file);
  }
  if (!stat.isFile()) throw new DataError(`${file}: not a regular file (${path})`, path, file);
  if (stat.size > MAX_DATA_FILE_BYTES) {
    throw new DataError(`${file}: ${(stat.size / 2 ** 20).toFixed(0)} MiB is larger than the ${MAX_DATA_FILE_BYTES / 2 ** 20} MiB limit for data files (${path})`, path, file);
  }
}
