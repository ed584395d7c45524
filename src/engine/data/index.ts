/**
 * Data sources for the engine (DESIGN §3 `data:`), tensor-free: everything is float64 on the host, the engine uploads it.
 *
 *   loadBatch(spec: Spec, seed: number): DataBatch
 *     The diagnostics batch: spec.data.batch samples. Synthetic sources (gaussian, near-identity, correlated, repeated) draw
 *     it from the seed with uniform random labels in [0, classes); csv/npy take a seeded random subset of the file's rows
 *     with the file's labels. DataBatch.x is row-major [count][features] (sample j = row j; the d×n matrix X of DESIGN §1
 *     is its transpose). DataBatch.features is the real input dimension (for csv/npy: read from the file).
 *   trainingData(spec, seed, pause?): Promise<TrainingData>  — training batches (synthetic: labelled by a fixed random teacher network;
 *     csv/npy: a disjoint train/held-out split of the file by train.holdout) and held-out chunks for evaluation.
 *   Randomness comes from ../rng (Rng) on the DATA_STREAM stream numbers (./random), independent of the weight streams.
 *
 * Every problem throws DataError (message names the file, row and column; `.path` is the spec key, e.g. "data.path").
 */
import type { Spec } from '../../spec/types';
import { type DataBatch, selectRows } from './batch';
import { DataError } from './errors';
import { loadFileDataset } from './fileData';
import { dataRng, permutation } from './random';
import { isSynthetic, SyntheticInputs, uniformLabels } from './synthetic';

export type { DataBatch } from './batch';
export { selectRows } from './batch';
export { DataError } from './errors';
export { checkDataFiles, type DataAccess } from './access';
export { loadFileDataset } from './fileData';
export { DATA_STREAM, dataRng, permutation } from './random';
export { splitRows, trainingData, type TrainingData } from './trainingData';

export function loadBatch(spec: Spec, seed: number): DataBatch {
  const { data } = spec;
  if (!Number.isInteger(data.batch) || data.batch < 1) throw new DataError(`data.batch must be a positive integer (got ${data.batch})`, 'data.batch');
  if (!Number.isInteger(data.classes) || data.classes < 1) throw new DataError(`data.classes must be a positive integer (got ${data.classes})`, 'data.classes');
  if (isSynthetic(data.source)) {
    const inputs = new SyntheticInputs(data, seed);
    const x = inputs.sample(data.batch, dataRng(seed, 'diagnosticBatch'));
    const labels = uniformLabels(data.batch, data.classes, dataRng(seed, 'diagnosticLabels'));
    return { features: inputs.features, count: data.batch, x, labels, classes: data.classes };
  }
  const all = loadFileDataset(spec);
  if (all.count < data.batch) {
    throw new DataError(`data.batch is ${data.batch} but ${data.path} has only ${all.count} samples`, 'data.batch');
  }
  const rows = permutation(dataRng(seed, 'diagnosticRows'), all.count).subarray(0, data.batch);
  return selectRows(all, rows);
}
