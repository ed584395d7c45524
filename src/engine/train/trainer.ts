// One short training run of one network: SGD / momentum / Adam on batches from ../data, BN in training mode, with
// records every `recordEvery` steps and divergence detection (DL204).
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs';
import type { LayerSpec, Spec } from '../../spec/types';
import type { TrainRecord } from '../../shared/result';
import type { Tf } from '../backend';
import { type DataBatch, trainingData } from '../data/index';
import { throwIfAborted, yieldToEventLoop } from '../errors';
import { buildHostNetwork } from '../network';
import { memoryProblem } from './sizeCheck';
import { bandedStep, duePause, stepNeedsBands } from './bandedStep';
import { batchLoss, TrainableNetwork } from './model';
import { Optimizer } from './optimizers';
import { type DeviceBatch, Recorder, type StepTensors } from './recorder';

/** Steps averaged at the start and the end of a run for the "did not decrease" check. */
const LOSS_WINDOW = 5;
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
  /** Why the run was not trained (it would not fit the backend's memory); null when it ran. */
  skipped: string | null;
}

/**
 * Trains `layers` (the spec's model at some depth) for spec.train.steps steps. Step s's record is measured on the batch of
 * update s, before that update; a final record at step = steps measures the trained network.
 */
export async function trainNetwork(tf: Tf, spec: Spec, layers: LayerSpec[], seed: number, hooks: TrainRunHooks = {}): Promise<TrainRun> {
  const train = spec.train;
  if (!train) throw new Error('trainNetwork: the spec has no train section');
  const data = await trainingData(spec, seed, duePause(hooks.signal));
  const skipped = memoryProblem(tf.getBackend(), { ...spec, model: { ...spec.model, layers } }, data.features, data.batch);
  if (skipped) return { depth: countDense(layers), records: [], diverged: null, lossStart: NaN, lossEnd: NaN, labels: data.labelSource, skipped };
  const net = await TrainableNetwork.create(tf, buildHostNetwork(layers, data.features, data.classes, seed), layers);
  const optimizer = new Optimizer(tf, train.optimizer, net.variables, train.lr, train.momentum);
  const evalChunks = data.evalChunks.map((c) => upload(tf, c));
  const recorder = new Recorder(tf, spec.loss, net, evalChunks);
  // A step longer than ~0.1 s on a CPU backend runs banded, pausing between bands (cancel within a band, ./bandedStep).
  const pause = stepNeedsBands(tf, net, data.batch) ? duePause(hooks.signal) : undefined;
  const records: TrainRecord[] = [];
  const losses: number[] = [];
  let diverged: TrainRun['diverged'] = null;
  try {
    for (let step = 0; step <= train.steps; step++) {
      throwIfAborted(hooks.signal);
      const record = step % Math.max(1, train.recordEvery) === 0 || step === train.steps;
      const batch = upload(tf, data.next());
      const captured = new Map<number, Tensor2D>();
      let logits: Tensor2D | null = null;
      let grads: Record<string, Tensor> = {};
      let lossTensor: Scalar | null = null;
      try {
        if (pause) {
          const out = await bandedStep(tf, net, spec.loss, batch.x, batch.labels, record ? recorder.gapLayers : new Set(), pause);
          logits = out.logits;
          for (const [layer, h] of out.captured) captured.set(layer, h);
          grads = out.grads;
          lossTensor = out.loss;
        } else {
          const result = tf.variableGrads(() => {
            const out = net.forward(batch.x, record ? recorder.gapLayers : undefined);
            logits = tf.keep(out.logits);
            for (const [layer, h] of out.captured) captured.set(layer, tf.keep(h));
            return batchLoss(tf, spec.loss, out.logits, batch.labels);
          }, net.variables);
          grads = result.grads;
          lossTensor = result.value;
        }
        // One awaited read per step: a record step reads its loss with the rest of the record.
        const tensors: StepTensors = { logits: logits!, batch, grads, captured };
        const measured = record ? await recorder.record(step, lossTensor, tensors, pause) : null;
        const loss = measured ? measured.loss : (await lossTensor.data())[0];
        losses.push(loss);
        const reason = divergence(loss, losses[0]);
        // The step where training diverged is always recorded, so the curve ends where it failed.
        if (record || reason) {
          records.push(measured ?? (await recorder.record(step, lossTensor, tensors, pause)));
          hooks.onRecord?.(records);
        }
        if (reason) {
          diverged = { step, reason };
          break;
        }
        if (step < train.steps) {
          const ordered = net.variables.map((v) => grads[v.name]);
          if (pause) await optimizer.applyPaused(ordered, pause);
          else optimizer.apply(ordered);
        }
      } finally {
        tf.dispose(Object.values(grads));
        lossTensor?.dispose();
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
  const window = Math.max(1, Math.min(LOSS_WINDOW, Math.floor(train.steps / 4)));
  return {
    depth: net.depth,
    records,
    diverged,
    lossStart: mean(losses.slice(0, window)),
    lossEnd: mean(losses.slice(-window)),
    labels: data.labelSource,
    skipped: null,
  };
}

function upload(tf: Tf, b: DataBatch): DeviceBatch {
  return { x: tf.tensor2d(Float32Array.from(b.x), [b.count, b.features]), labels: tf.tensor1d(b.labels, 'int32'), count: b.count };
}

function divergence(loss: number, first: number): string | null {
  if (Number.isNaN(loss)) return 'the loss became NaN';
  if (!Number.isFinite(loss)) return 'the loss became infinite';
  if (Number.isFinite(first) && first > 0 && loss > DIVERGENCE_FACTOR * first) {
    return `the loss grew to ${loss.toPrecision(3)}, over ${DIVERGENCE_FACTOR}× its initial ${first.toPrecision(3)}`;
  }
  return null;
}

function countDense(layers: LayerSpec[]): number {
  return layers.reduce((n, l) => n + (l.kind === 'dense' ? 1 : l.kind === 'residual' ? countDense(l.body) : 0), 0);
}

function mean(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}
