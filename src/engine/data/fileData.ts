// csv / npy data sets: features and integer labels from the user's files (paths relative to the spec file).
import { statSync } from 'node:fs';
import type { DataSpec, Spec } from '../../spec/types';
import type { DataBatch } from './batch';
import { readCsvFile } from './csv';
import { DataError } from './errors';
import { assertReadableDataFile, MAX_DATA_VALUES, MAX_FEATURES, resolveDataPath } from './files';
import { readNpyFile } from './npy';
import type { NumericTable } from './table';

/**
 * Reads the whole data set of a csv/npy spec. With `data.labels`, every column of `data.path` is a feature and the labels
 * file holds one label per row (a single csv column or a 1-D npy array); without it, the last column of `data.path` is the
 * label. Labels must be integers in [0, data.classes).
 */
export function loadFileDataset(spec: Spec): DataBatch {
  const data = spec.data;
  if (data.source !== 'csv' && data.source !== 'npy') {
    throw new DataError(`data.source ${data.source} is not read from a file`, 'data.source');
  }
  if (!data.path) throw new DataError(`data.path is required for data.source ${data.source}`, 'data.path');
  const xFile = resolveDataPath(spec.file, data.path);
  const key = cacheKey(xFile, data.labels ? resolveDataPath(spec.file, data.labels) : '', data);
  if (cached && cached.key === key) return cached.batch;

  const table = readTable(data.source, xFile, 'data.path');
  if (table.ndim !== 2) throw new DataError(`${xFile}: features must be a 2-D array [samples, features]`, 'data.path', xFile);
  let features: number;
  let labelValues: Float64Array;
  let labelTable: NumericTable;
  let labelColumn: number;
  if (data.labels) {
    const yFile = resolveDataPath(spec.file, data.labels);
    labelTable = readTable(data.source, yFile, 'data.labels');
    if (labelTable.columns !== 1) {
      throw new DataError(`${yFile}: labels must be one column (found ${labelTable.columns})`, 'data.labels', yFile);
    }
    if (labelTable.rows !== table.rows) {
      throw new DataError(`${yFile}: ${labelTable.rows} labels for ${table.rows} samples in ${xFile} (shape mismatch)`, 'data.labels', yFile);
    }
    features = table.columns;
    labelValues = labelTable.values;
    labelColumn = 0;
  } else {
    if (table.columns < 2) {
      throw new DataError(`${xFile}: without data.labels the last column is the label, so at least 2 columns are needed (found ${table.columns})`, 'data.path', xFile);
    }
    labelTable = table;
    features = table.columns - 1;
    labelValues = table.values;
    labelColumn = features;
  }
  if (data.features > 0 && data.features !== features) {
    throw new DataError(`data.features is ${data.features} but ${xFile} has ${features} feature columns`, 'data.features', xFile);
  }

  const labelPath = data.labels ? 'data.labels' : 'data.path';
  const labels = new Int32Array(table.rows);
  const stride = labelTable.columns;
  for (let r = 0; r < table.rows; r++) {
    const v = labelValues[r * stride + labelColumn];
    if (!Number.isInteger(v) || v < 0 || v >= data.classes) {
      // The value itself is not repeated: the file may not be a data file at all.
      const what = !Number.isInteger(v) ? 'not a whole number' : v < 0 ? 'negative' : `${data.classes} or more`;
      throw new DataError(
        `${labelTable.file}: ${labelTable.rowName(r)}: expected a class index in 0..${data.classes - 1} (data.classes = ${data.classes}) as the label, found a label that is ${what}`,
        labelPath,
        labelTable.file,
      );
    }
    labels[r] = v;
  }
  if (features > MAX_FEATURES) {
    throw new DataError(`${xFile}: ${features} feature columns, more than the ${MAX_FEATURES} data.features may be`, 'data.path', xFile);
  }
  // With a labels file every column is a feature: the table's values are the features as they are (no second copy).
  let x = table.values;
  if (table.columns !== features) {
    x = new Float64Array(table.rows * features);
    for (let r = 0; r < table.rows; r++) x.set(table.values.subarray(r * table.columns, r * table.columns + features), r * features);
  }
  const batch: DataBatch = { features, count: table.rows, x, labels, classes: data.classes };
  cached = { key, batch };
  return batch;
}

function readTable(source: 'csv' | 'npy', file: string, path: 'data.path' | 'data.labels'): NumericTable {
  assertReadableDataFile(file, path);
  // A features file may have one label column beside its features (a labels file's one column is checked by the caller).
  const limits = { maxColumns: MAX_FEATURES + 1, maxValues: MAX_DATA_VALUES };
  return source === 'csv' ? readCsvFile(file, path, limits) : readNpyFile(file, path, limits);
}

// One data set is kept so that the diagnostics (one batch per seed) and training do not re-read the files.
let cached: { key: string; batch: DataBatch } | null = null;

function cacheKey(xFile: string, yFile: string, data: DataSpec): string {
  const stamp = (f: string): string => {
    try {
      const s = statSync(f);
      return `${s.size}:${s.mtimeMs}`;
    } catch {
      return 'missing';
    }
  };
  return JSON.stringify([xFile, stamp(xFile), yFile, yFile && stamp(yFile), data.classes, data.features]);
}
