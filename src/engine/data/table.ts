// A numeric table read from a data file, with enough provenance to name the offending row in errors.

export interface NumericTable {
  /** Absolute path of the file it came from. */
  file: string;
  rows: number;
  columns: number;
  /** Row-major [rows][columns]. */
  values: Float64Array;
  /** How to name row r in an error message ("row 7" for a csv line, "row index 6" for npy). */
  rowName(r: number): string;
  /** Number of dimensions in the file: csv is always 2; npy may be 1 (a label vector). */
  ndim: number;
}
