// One short training run of one network: SGD / momentum / Adam on batches from ../data, BN in training mode, with
// records every `recordEvery` steps and divergence detection (DL204).
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import type { LayerSpec, Spec } from '../../spec/types';
import type { TrainRecord } from '../../result';
import type { Tf } from '../backend';
import { type DataBatch, trainingData } from '../data/index';
import { throwIfAborted, yieldToEventLoop } from '../errors';
import { buildHostNetwork } from '../network';
import { logFrobeniusNorms, middleLayers, rowIsometryGaps, spreadLayers } from './metrics';
import { batchLoss, correctCount, TrainableNetwork } from './model';
import { Optimizer } from './optimizers';

/** Layers whose representation isometry gap is recorded, and middle weight matrices whose φ(W) is recorded. */
const GAP_LAYERS = 4;
const WEIGHT_ISOMETRY_LAYERS = 3;
/** A loss this many times the first one counts as diverged (stopping early saves the rest of the run). */
const DIVERGENCE_FACTOR = 100;

export interface TrainProgress {
  /** Steps done in this run. */
  step: number;
  steps: number;
  /** Depth of the network being trained (depth comparison runs train several). */
  depth: number;
}

export interface TrainRunHooks {
  onProgress?: (p: TrainProgress) => void;
  /** Called with every new record (records so far, oldest first). */
  onRecord?: (records: readonly TrainRecord[]) => void;
  signal?: AbortSignal;
}

export interface TrainRun {
  depth: number;
  records: TrainRecord[];
  /** First step whose loss was NaN/±Inf or exploded; null when training stayed finite. */
  diverged: { step: number; reason: string } | null;
  /** Mean training loss over the first and last few steps (for the "did not decrease" check). */
  lossStart: number;
  lossEnd: number;
  labels: 'teacher' | 'file';
}

/**
 * Trains `layers` (the spec's model at some depth) for spec.train.steps steps. Step s's record is measured on the batch of
 * update s, before that update; a final record at step = steps measures the trained network.
 */
export async function trainNetwork(tf: Tf, spec: Spec, layers: LayerSpec[], seed: number, hooks: TrainRunHooks = {}): Promise<TrainRun> {
  const train = spec.train;
  if (!train) throw new Error('trainNetwork: the spec has no train section');
  const data = trainingData(spec, seed);
  const host = buildHostNetwork(layers, data.features, data.classes, seed);
  const net = new TrainableNetwork(tf, host, layers);
  const optimizer = new Optimizer(tf, train.optimizer, net.variables, train.lr, train.momentum);
  const gapLayers = new Set(spreadLayers(net.depth, GAP_LAYERS));
  const weightLayers = middleLayers(squareLayers(net), WEIGHT_ISOMETRY_LAYERS);
  const evalChunks = data.evalChunks.map((c) => upload(tf, c));
  const records: TrainRecord[] = [];
  const window = Math.max(1, Math.min(5, Math.floor(train.steps / 4)));
  const losses: number[] = [];
  let diverged: TrainRun['diverged'] = null;
  try {
    for (let step = 0; step <= train.steps; step++) {
      throwIfAborted(hooks.signal);
      const record = step % Math.max(1, train.recordEvery) === 0 || step === train.steps;
      const batch = upload(tf, data.next());
      const captured = new Map<number, Tensor2D>();
      let logits: Tensor2D | null = null;
      const { value, grads } = tf.variableGrads(() => {
        const out = net.forward(batch.x, record ? gapLayers : undefined);
        logits = tf.keep(out.logits);
        for (const [layer, h] of out.captured) captured.set(layer, tf.keep(h));
        return batchLoss(tf, spec.loss, out.logits, batch.labels);
      }, net.variables);
      const loss = (await value.data())[0];
      value.dispose();
      losses.push(loss);
      try {
        const reason = divergence(loss, losses[0]);
        // The step where training diverged is always recorded, so the curve ends where it failed.
        if (record || reason) {
          records.push(measure(tf, spec, net, step, loss, logits!, batch, grads, captured, gapLayers, weightLayers, evalChunks));
          hooks.onRecord?.(records);
        }
        if (reason) {
          diverged = { step, reason };
          break;
        }
        if (step < train.steps) optimizer.apply(net.variables.map((v) => grads[v.name]));
      } finally {
        tf.dispose(Object.values(grads));
        for (const t of captured.values()) t.dispose();
        (logits as Tensor2D | null)?.dispose();
        tf.dispose([batch.x, batch.labels]);
      }
      hooks.onProgress?.({ step: Math.min(step + 1, train.steps), steps: train.steps, depth: net.depth });
      await yieldToEventLoop();
    }
  } finally {
    for (const c of evalChunks) tf.dispose([c.x, c.labels]);
    optimizer.dispose();
    net.dispose();
  }
  const lossStart = mean(losses.slice(0, window));
  const lossEnd = mean(losses.slice(-window));
  return { depth: net.depth, records, diverged, lossStart, lossEnd, labels: data.labelSource };
}

interface DeviceBatch {
  x: Tensor2D;
  labels: Tensor;
  count: number;
}

function upload(tf: Tf, b: DataBatch): DeviceBatch {
  return { x: tf.tensor2d(Float32Array.from(b.x), [b.count, b.features]), labels: tf.tensor1d(b.labels, 'int32'), count: b.count };
}

function measure(
  tf: Tf,
  spec: Spec,
  net: TrainableNetwork,
  step: number,
  loss: number,
  logits: Tensor2D,
  batch: DeviceBatch,
  grads: Record<string, Tensor>,
  captured: Map<number, Tensor2D>,
  gapLayers: Set<number>,
  weightLayers: number[],
  evalChunks: DeviceBatch[],
): TrainRecord {
  const correct = tf.tidy(() => correctCount(tf, logits, batch.labels));
  const record: TrainRecord = {
    step,
    loss,
    accuracy: accuracyOf(correct, batch.count),
    logGradNorm: logFrobeniusNorms(tf, net.weights.map((w) => grads[w.name])),
  };
  const evaluation = evaluate(tf, spec, net, evalChunks);
  if (evaluation) {
    record.evalLoss = evaluation.loss;
    record.evalAccuracy = evaluation.accuracy;
  }
  const gapAt = [...gapLayers].filter((l) => captured.has(l));
  if (gapAt.length > 0) {
    const gaps = rowIsometryGaps(tf, gapAt.map((l) => captured.get(l)!));
    record.isometryGap = gapAt.map((layer, i) => ({ layer, value: gaps[i] }));
  }
  if (weightLayers.length > 0) {
    const gaps = rowIsometryGaps(tf, weightLayers.map((l) => net.weights[l] as Tensor2D));
    record.weightIsometry = weightLayers.map((layer, i) => ({ layer, value: gaps[i] }));
  }
  return record;
}

function accuracyOf(correct: Tensor, count: number): number {
  const v = correct.dataSync()[0];
  correct.dispose();
  return v / count;
}

/** Loss and accuracy over the held-out chunks, each normalized with its own batch statistics. */
function evaluate(tf: Tf, spec: Spec, net: TrainableNetwork, chunks: DeviceBatch[]): { loss: number; accuracy: number } | null {
  if (chunks.length === 0) return null;
  let lossSum = 0;
  let correct = 0;
  let count = 0;
  for (const chunk of chunks) {
    const sums = tf.tidy(() => {
      const { logits } = net.forward(chunk.x);
      return tf.stack([tf.mul(batchLoss(tf, spec.loss, logits, chunk.labels), chunk.count), correctCount(tf, logits, chunk.labels)]);
    });
    const [l, c] = sums.dataSync();
    sums.dispose();
    lossSum += l;
    correct += c;
    count += chunk.count;
  }
  return { loss: lossSum / count, accuracy: correct / count };
}

function divergence(loss: number, first: number): string | null {
  if (Number.isNaN(loss)) return 'the loss became NaN';
  if (!Number.isFinite(loss)) return 'the loss became infinite';
  if (Number.isFinite(first) && first > 0 && loss > DIVERGENCE_FACTOR * first) {
    return `the loss grew to ${loss.toPrecision(3)}, over ${DIVERGENCE_FACTOR}× its initial ${first.toPrecision(3)}`;
  }
  return null;
}

function squareLayers(net: TrainableNetwork): number[] {
  return net.weights.flatMap((w, i) => (w.shape[0] === w.shape[1] ? [i] : []));
}

function mean(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}
