// Which data files a run may read (issue 16 item 3): a spec's data.path / data.labels must resolve, after symbolic links,
// inside one folder — the spec's workspace folder in the editor, the spec's own folder tree on the command line — unless
// the user allows files outside it explicitly. Checked before the backend starts, and the checked real paths are what the
// run reads. Nothing here opens a file: a FIFO or a device is refused from its stat, never read.
import { realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Spec } from '../../spec/types';
import { DataError } from './errors';
import { MAX_DATA_FILE_BYTES } from './files';

export interface DataAccess {
  /** Data files must lie inside this folder (resolved through symbolic links). Default: the spec file's folder. */
  root?: string;
  /** Any readable regular file is allowed (the CLI's --allow-data-outside). */
  allowOutside?: boolean;
}

type DataKey = 'data.path' | 'data.labels';

/**
 * The spec with data.path / data.labels replaced by the absolute real paths of checked files; the same spec when its data
 * is not read from files. Throws DataError at the offending key: outside the allowed folder, missing, not a regular file,
 * too large. Messages name the paths only, never anything read from a file.
 */
export function checkDataFiles(spec: Spec, access: DataAccess = {}): Spec {
  const data = spec.data;
  if (data.source !== 'csv' && data.source !== 'npy') return spec;
  if (!data.path) throw new DataError(`data.path is required for data.source ${data.source}`, 'data.path');
  const root = access.allowOutside ? null : allowedRoot(spec, access);
  const path = checkedFile(spec, data.path, 'data.path', root);
  const labels = data.labels ? checkedFile(spec, data.labels, 'data.labels', root) : data.labels;
  return { ...spec, data: { ...data, path, ...(labels !== undefined ? { labels } : {}) } };
}

function allowedRoot(spec: Spec, access: DataAccess): string {
  const folder = access.root ?? (spec.file ? dirname(resolve(spec.file)) : '');
  if (!folder) {
    throw new DataError('the spec has no file, so its data paths cannot be placed in a folder: save the spec first', 'data.path');
  }
  try {
    return realpathSync(folder);
  } catch {
    throw new DataError(`the folder data files must come from (${folder}) does not exist`, 'data.path');
  }
}

function checkedFile(spec: Spec, written: string, key: DataKey, root: string | null): string {
  const base = spec.file ? dirname(resolve(spec.file)) : process.cwd();
  const absolute = isAbsolute(written) ? written : resolve(base, written);
  let real: string;
  try {
    real = realpathSync(absolute);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'ENOTDIR' ? 'a part of the path is not a folder' : `cannot resolve it (${code ?? 'error'})`;
    // Outside the allowed folder even the existence of a file is not reported.
    if (root !== null && !inside(root, absolute)) throw outsideError(key, written, absolute, root);
    throw new DataError(`${key}: ${written}: ${why} (looked for ${absolute})`, key, absolute);
  }
  if (root !== null && !inside(root, real)) throw outsideError(key, written, real, root);
  const stat = statSync(real);
  if (!stat.isFile()) {
    const kind = stat.isDirectory() ? 'a folder' : stat.isFIFO() ? 'a named pipe (FIFO)' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : stat.isSocket() ? 'a socket' : 'not a regular file';
    throw new DataError(`${key}: ${written} is ${kind}, not a regular data file`, key, real);
  }
  if (stat.size > MAX_DATA_FILE_BYTES) {
    throw new DataError(`${key}: ${written} is ${(stat.size / 2 ** 20).toFixed(0)} MiB, larger than the ${MAX_DATA_FILE_BYTES / 2 ** 20} MiB limit for data files`, key, real);
  }
  return real;
}

function inside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

function outsideError(key: DataKey, written: string, resolved: string, root: string): DataError {
  return new DataError(
    `${key}: ${written} resolves to ${resolved}, outside ${root}, the folder data files may come from (the spec's workspace folder in the editor, ` +
      `the spec's folder on the command line): move the file there, or allow it explicitly (depthlens analyze --allow-data-outside)`,
    key,
    resolved,
  );
}
