import type { SpecPath } from '../../shared/findings';

/** Bad data or a data file that cannot be used. The message names the file, row and column where they apply. */
export class DataError extends Error {
  override readonly name = 'DataError';
  constructor(
    message: string,
    /** The spec key the problem belongs to (e.g. "data.path"). */
    readonly path: SpecPath,
    /** Absolute path of the offending file, when a file is involved. */
    readonly file?: string,
  ) {
    super(message);
  }
}
