// The data a training run sees: a stream of training batches and a fixed held-out set.
import type { Spec } from '../../spec/types';
import { type DataBatch, selectRows } from './batch';
import { DataError } from './errors';
import { loadFileDataset } from './fileData';
import type { Rng } from '../rng';
import { dataRng, permutation } from './random';
import { isSynthetic, SyntheticInputs } from './synthetic';
import { Teacher } from './teacher';

/** Held-out samples of a synthetic source: this many batches drawn from a stream the training batches never use. */
export const SYNTHETIC_EVAL_BATCHES = 4;
const TEACHER_REFERENCE_SAMPLES = 2048;

export interface TrainingData {
  features: number;
  classes: number;
  /** Samples per training batch (train.batch). */
  batch: number;
  /** The next training batch; deterministic given the seed. */
  next(): DataBatch;
  /**
   * The held-out set in chunks of about `batch` samples (BN uses batch statistics, so evaluation goes chunk by chunk);
   * empty when nothing is held out.
   */
  evalChunks: DataBatch[];
  /** csv/npy only: which rows of the file train and which are held out (disjoint). */
  split?: { train: Int32Array; holdout: Int32Array };
  /** Where the labels come from, for reports. */
  labelSource: 'teacher' | 'file';
}

/**
 * The training data of `spec`. A synthetic source's setup (a reference sample, the teacher's balancing, the held-out batches)
 * is seconds of arithmetic at thousands of features: `pause` runs between its pieces (a yield, and a cancel's way in).
 */
export async function trainingData(spec: Spec, seed: number, pause: () => Promise<void> = async () => {}): Promise<TrainingData> {
  if (!spec.train) throw new DataError('the spec has no train section', 'train');
  const batch = spec.train.batch > 0 ? spec.train.batch : spec.data.batch;
  return isSynthetic(spec.data.source) ? syntheticTraining(spec, seed, batch, pause) : fileTraining(spec, seed, batch, spec.train.holdout);
}

async function syntheticTraining(spec: Spec, seed: number, batch: number, pause: () => Promise<void>): Promise<TrainingData> {
  if (spec.data.source === 'near-identity' && batch !== spec.data.features) {
    throw new DataError(`near-identity batches are square: train.batch must equal data.features (${spec.data.features}), got ${batch}`, 'train.batch');
  }
  const inputs = new SyntheticInputs(spec.data, seed);
  const referenceRng = dataRng(seed, 'teacherReference');
  const reference = await sampleMany(inputs, batch, TEACHER_REFERENCE_SAMPLES, referenceRng, pause);
  const teacher = await Teacher.create(inputs.features, spec.data.classes, seed, reference, pause);
  const draw = (rng: Rng): DataBatch => {
    const x = inputs.sample(batch, rng);
    return { features: inputs.features, count: batch, x, labels: teacher.label(x), classes: spec.data.classes };
  };
  const evalRng = dataRng(seed, 'evalBatches');
  const evalChunks: DataBatch[] = [];
  for (let c = 0; c < SYNTHETIC_EVAL_BATCHES; c++) {
    evalChunks.push(draw(evalRng));
    await pause();
  }
  const trainRng = dataRng(seed, 'trainBatches');
  return { features: inputs.features, classes: spec.data.classes, batch, next: () => draw(trainRng), evalChunks, labelSource: 'teacher' };
}

/** Whole source batches (near-identity and repeated batches have structure across the batch) until `total` samples. */
async function sampleMany(inputs: SyntheticInputs, batch: number, total: number, rng: Rng, pause: () => Promise<void>): Promise<Float64Array> {
  const batches = Math.max(1, Math.ceil(total / batch));
  const out = new Float64Array(batches * batch * inputs.features);
  for (let b = 0; b < batches; b++) {
    out.set(inputs.sample(batch, rng), b * batch * inputs.features);
    await pause();
  }
  return out;
}

function fileTraining(spec: Spec, seed: number, batch: number, holdout: number): TrainingData {
  const all = loadFileDataset(spec);
  const split = splitRows(all.count, holdout, dataRng(seed, 'holdoutSplit'));
  if (split.train.length < batch) {
    throw new DataError(
      `train.batch is ${batch} but only ${split.train.length} of ${all.count} samples are left for training after holding out ${split.holdout.length} (train.holdout = ${holdout})`,
      'train.batch',
    );
  }
  const trainRng = dataRng(seed, 'trainBatches');
  let order = shuffled(split.train, trainRng);
  let position = 0;
  const next = (): DataBatch => {
    // Epochs: walk a shuffled order in whole batches, reshuffle when fewer than a batch is left.
    if (position + batch > order.length) {
      order = shuffled(split.train, trainRng);
      position = 0;
    }
    const rows = order.subarray(position, position + batch);
    position += batch;
    return selectRows(all, rows);
  };
  return { features: all.features, classes: all.classes, batch, next, evalChunks: chunks(all, split.holdout, batch), split, labelSource: 'file' };
}

/** A seeded random split of 0..count-1 into disjoint train and held-out rows (round(holdout·count) held out). */
export function splitRows(count: number, holdout: number, rng: Rng): { train: Int32Array; holdout: Int32Array } {
  if (!(holdout >= 0 && holdout < 1)) throw new DataError(`train.holdout must be in [0, 1) (got ${holdout})`, 'train.holdout');
  const order = permutation(rng, count);
  const held = Math.round(holdout * count);
  return { holdout: order.slice(0, held).sort(), train: order.slice(held).sort() };
}

function shuffled(rows: Int32Array, rng: Rng): Int32Array {
  const p = permutation(rng, rows.length);
  const out = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = rows[p[i]];
  return out;
}

// Chunks of `batch` rows; a remainder joins the last chunk (a tiny BN batch would make its statistics meaningless).
function chunks(all: DataBatch, rows: Int32Array, batch: number): DataBatch[] {
  if (rows.length < 2) return [];
  const out: DataBatch[] = [];
  const whole = Math.max(1, Math.floor(rows.length / batch));
  for (let c = 0; c < whole; c++) {
    const end = c === whole - 1 ? rows.length : (c + 1) * batch;
    out.push(selectRows(all, rows.subarray(c * batch, end)));
  }
  return out;
}
