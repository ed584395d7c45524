// One training record (Result.train.records[i]): loss and accuracy of the step's batch, held-out metrics, ln‖∇W_ℓ‖ of every
// layer, φ of the representation at a few layers and φ(W) of the middle weight matrices.
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs';
import type { LossKind } from '../../spec/types';
import type { TrainRecord } from '../../shared/result';
import type { Tf } from '../backend';
import { gapsFromRowInputs, logNormParts, logNormsFromParts, middleLayers, rowGapInputs, rowGapSources, spreadLayers } from './metrics';
import { gapFromRepresentation } from '../blockGap';
import type { Pause } from '../bands';
import { sharedHostPool } from '../hostPool';
import { bandedLogits, bandedRowGram } from './bandedStep';
import { batchLoss, correctCount, type TrainableNetwork } from './model';

/** Layers whose representation isometry gap is recorded, and middle weight matrices whose φ(W) is recorded. */
const GAP_LAYERS = 4;
const WEIGHT_ISOMETRY_LAYERS = 3;

export interface DeviceBatch {
  x: Tensor2D;
  labels: Tensor;
  count: number;
}

/** What one step produced, as the recorder needs it (all owned by the caller). */
export interface StepTensors {
  logits: Tensor2D;
  batch: DeviceBatch;
  /** Gradients by variable name. */
  grads: Record<string, Tensor>;
  /** Block outputs of the layers in `gapLayers`. */
  captured: Map<number, Tensor2D>;
}

export class Recorder {
  /** Layers whose block output the forward pass must capture on record steps. */
  readonly gapLayers: ReadonlySet<number>;
  private readonly weightLayers: number[];

  constructor(
    private readonly tf: Tf,
    private readonly loss: LossKind,
    private readonly net: TrainableNetwork,
    private readonly evalChunks: DeviceBatch[],
  ) {
    this.gapLayers = new Set(spreadLayers(net.depth, GAP_LAYERS));
    const square = net.weights.flatMap((w, i) => (w.shape[0] === w.shape[1] ? [i] : []));
    this.weightLayers = middleLayers(square, WEIGHT_ISOMETRY_LAYERS);
  }

  /**
   * The record of a step whose loss is `loss` (the step's own scalar, read here with the rest). Every value of the record
   * is reduced on the backend into one vector and read back in a single awaited download (webgpu has no synchronous read,
   * and each read is a round trip). With `pause` (a banded run, ./bandedStep) the long products run a band at a time.
   */
  async record(step: number, loss: Scalar, t: StepTensors, pause?: Pause): Promise<TrainRecord> {
    const { tf, net } = this;
    const grads = net.weights.map((w) => t.grads[w.name]);
    const gapAt = [...this.gapLayers].filter((l) => t.captured.has(l));
    // The variables hold Wᵀ (fanIn × fanOut): its rows are the columns of W, the "samples" of φ(W).
    const gapMatrices = [...gapAt.map((l) => t.captured.get(l)!), ...this.weightLayers.map((l) => net.weights[l] as Tensor as Tensor2D)];
    const chunks = this.evalChunks;
    // A banded run (given a pause) computes the held-out logits and the Grams (2·d³ flops for a d-wide W) with pauses first.
    const made: Tensor2D[] = [];
    let values: Float32Array;
    try {
      const evalLogits: Tensor2D[] = [];
      const grams: Tensor2D[] = [];
      if (pause) {
        for (const chunk of chunks) evalLogits.push(this.own(made, await bandedLogits(tf, net, chunk.x, pause)));
        // A matrix φ is taken from in float64 itself (../blockGap) needs no Gram.
        for (const m of gapMatrices) grams.push(gapFromRepresentation(m.shape[1], m.shape[0]) ? m : this.own(made, await bandedRowGram(tf, m, pause)));
      }
      const packed = tf.tidy(() =>
        tf.concat([
          tf.reshape(loss, [1]),
          tf.reshape(correctCount(tf, t.logits, t.batch.labels), [1]),
          // Held-out chunks, each normalized with its own batch statistics: [count·loss, correct] per chunk.
          ...chunks.map((chunk, i) =>
            tf.tidy(() => {
              const logits = pause ? evalLogits[i] : net.forward(chunk.x).logits;
              return tf.stack([tf.mul(batchLoss(tf, this.loss, logits, chunk.labels), chunk.count), correctCount(tf, logits, chunk.labels)]);
            }),
          ),
          logNormParts(tf, grads),
          pause ? (grams.length > 0 ? tf.concat(grams.map((g) => tf.reshape(g, [-1]))) : tf.tensor1d([])) : rowGapInputs(tf, gapMatrices),
        ]),
      );
      try {
        values = (await packed.data()) as Float32Array;
      } finally {
        packed.dispose();
      }
    } finally {
      for (const m of made) m.dispose();
    }
    const record: TrainRecord = { step, loss: values[0], accuracy: values[1] / t.batch.count, logGradNorm: [] };
    let offset = 2;
    if (chunks.length > 0) {
      let lossSum = 0;
      let correct = 0;
      let count = 0;
      chunks.forEach((chunk, i) => {
        lossSum += values[offset + 2 * i];
        correct += values[offset + 2 * i + 1];
        count += chunk.count;
      });
      record.evalLoss = lossSum / count;
      record.evalAccuracy = correct / count;
      offset += 2 * chunks.length;
    }
    record.logGradNorm = logNormsFromParts(values.subarray(offset, offset + 2 * grads.length), grads.length);
    offset += 2 * grads.length;
    const shapes = gapMatrices.map((m) => [m.shape[0], m.shape[1]] as const);
    // A banded run's matrices can be d×d for a wide W: their φ (an O(d³/3) factorisation, 30 s and more at d = 4096 on
    // one core) is computed on the host pool's workers, the main thread staying free for a cancel.
    const gaps = pause ? await pooledGaps(values.subarray(offset), shapes, pause) : gapsFromRowInputs(values.subarray(offset), shapes);
    if (gapAt.length > 0) record.isometryGap = gapAt.map((layer, i) => ({ layer, value: gaps[i] }));
    if (this.weightLayers.length > 0) record.weightIsometry = this.weightLayers.map((layer, i) => ({ layer, value: gaps[gapAt.length + i] }));
    return record;
  }

  private own(list: Tensor2D[], t: Tensor2D): Tensor2D {
    list.push(t);
    return t;
  }
}

/** gapsFromRowInputs on the shared host pool's workers, awaited with `pause` every 20 ms (a cancel ends the wait). */
async function pooledGaps(values: Float32Array, shapes: readonly (readonly [number, number])[], pause: Pause): Promise<(number | null)[]> {
  const pool = sharedHostPool();
  const all = Promise.all(
    rowGapSources(values, shapes).map((s) =>
      (s.kind === 'representation' ? pool.representationGap(s.x, s.d, s.n, s.d) : pool.gap(s.gram, s.n, { transfer: false })).then((r) => r.gap),
    ),
  );
  let settled = false;
  all.then(
    () => (settled = true),
    () => (settled = true),
  );
  while (!settled) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    await pause();
  }
  return all;
}
